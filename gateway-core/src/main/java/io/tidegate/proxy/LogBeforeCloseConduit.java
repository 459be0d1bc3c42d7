package io.tidegate.proxy;

import java.io.IOException;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.StreamSinkConduit;

/**
 * For a response whose connection closes after it: runs the log phase when the body ends, before
 * Undertow shuts the connection down. Undertow sends the FIN while flushing the last bytes and runs
 * the exchange's completion listeners only after that, so a client that sends its next request as
 * soon as it sees the close could meet the previous one still counted (limit-conn's slot still
 * taken). nginx runs the log phase before it closes the connection; so does this.
 */
final class LogBeforeCloseConduit extends AbstractStreamSinkConduit<StreamSinkConduit> {
    private final Runnable logPhase;

    LogBeforeCloseConduit(StreamSinkConduit next, Runnable logPhase) {
        super(next);
        this.logPhase = logPhase;
    }

    @Override
    public void terminateWrites() throws IOException {
        logPhase.run();
        super.terminateWrites();
    }
}
