package io.tidegate.proxy;

import io.tidegate.health.Outcome;
import io.tidegate.proxy.pool.ConnectionPools;
import io.tidegate.upstream.UpstreamFailure;
import io.tidegate.upstream.UpstreamNodeTarget;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.WorkerUtils;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioExecutor;

/**
 * One try to reach one node: waiting for a connection (HTTP/1.1) or a stream (HTTP/2) from the
 * node's pool, within {@code timeout.connect}. It settles once, by what the pool hands over, a
 * failure, or its timer; callbacks that come after (a connection late for an abandoned try) are
 * the subclass's to give back. Only a try that has to wait arms a timer.
 */
abstract class NodeTry {
    private static final Logger log = LoggerFactory.getLogger(NodeTry.class);

    /** The exchange the try works for. */
    interface Owner {
        /** Whether the exchange is over (answered, aborted): nothing more is tried. */
        boolean over();

        /** The node could not be reached: the owner retries another or gives up. */
        void notReached(int node, UpstreamFailure failure, Outcome outcome);
    }

    protected final HttpServerExchange exchange;
    protected final int node;
    protected final UpstreamNodeTarget target;
    private final String upstreamName;
    private final Owner owner;
    private XnioExecutor.Key timer;
    private ConnectionPools.Claim claim;
    private boolean settled;

    NodeTry(HttpServerExchange exchange, String upstreamName, int node, UpstreamNodeTarget target, Owner owner) {
        this.exchange = exchange;
        this.upstreamName = upstreamName;
        this.node = node;
        this.target = target;
        this.owner = owner;
    }

    /** Asks the node's pool; returns a claim while waiting, null when it already answered. */
    protected abstract ConnectionPools.Claim acquire();

    void start(long connectMillis) {
        ask();
        if (!settled && connectMillis > 0) {
            timer = WorkerUtils.executeAfter(exchange.getIoThread(), this::timedOut, connectMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Asks the pool (again, after what it handed over could not be used), within the same timer. */
    void ask() {
        try {
            claim = acquire();
        } catch (RuntimeException e) {
            failed(new IOException("cannot open a connection: " + e, e));
        }
    }

    /** Settles the try; false when it already was. */
    boolean settle() {
        if (settled) {
            return false;
        }
        settled = true;
        if (timer != null) {
            timer.remove();
        }
        return true;
    }

    boolean settled() {
        return settled;
    }

    void abandon() {
        if (settle() && claim != null) {
            claim.cancel();
        }
    }

    public void failed(IOException cause) {
        if (settle() && !owner.over()) {
            log.warn("upstream {}: connect to {} failed ({} {}): {}", upstreamName, target.address(),
                    exchange.getRequestMethod(), exchange.getRequestPath(), cause.getMessage());
            owner.notReached(node, UpstreamFailure.CONNECT_FAILED, Outcome.TCP_FAILURE);
        }
    }

    private void timedOut() {
        if (settle()) {
            if (claim != null) {
                claim.cancel();
            }
            if (!owner.over()) {
                log.warn("upstream {}: connect to {} timed out ({} {})", upstreamName, target.address(),
                        exchange.getRequestMethod(), exchange.getRequestPath());
                owner.notReached(node, UpstreamFailure.CONNECT_TIMED_OUT, Outcome.TIMEOUT);
            }
        }
    }
}
