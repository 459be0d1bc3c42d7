package io.tidegate.proxy;

import io.tidegate.plugin.api.UpstreamTry;
import io.tidegate.plugin.api.UpstreamTryWatcher;
import io.tidegate.upstream.UpstreamFailure;
import io.tidegate.upstream.UpstreamNodeTarget;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows plugins' {@link UpstreamTryWatcher}s each try of one exchange at a node: started before
 * its request is written, ended once, when its response was relayed to the end or it failed. An
 * exchange without watchers has none of this (the proxy asks once, after before_proxy). A watcher
 * that throws is dropped (logged), never the request.
 */
final class UpstreamTries {
    private static final Logger log = LoggerFactory.getLogger(UpstreamTries.class);
    private static final AttachmentKey<UpstreamTries> KEY = AttachmentKey.create(UpstreamTries.class);

    private final HttpServerExchange exchange;
    private final List<UpstreamTryWatcher> watchers = new ArrayList<>(1);
    private Attempt current;
    private int count;

    private UpstreamTries(HttpServerExchange exchange) {
        this.exchange = exchange;
    }

    static void add(HttpServerExchange exchange, UpstreamTryWatcher watcher) {
        UpstreamTries tries = exchange.getAttachment(KEY);
        if (tries == null) {
            tries = new UpstreamTries(exchange);
            exchange.putAttachment(KEY, tries);
        }
        tries.watchers.add(watcher);
    }

    /** The exchange's watchers; null when no plugin watches (the usual case). */
    static UpstreamTries of(HttpServerExchange exchange) {
        return exchange.getAttachment(KEY);
    }

    /** A try at {@code target} is about to be written (a try still open ends first, aborted). */
    void started(UpstreamNodeTarget target) {
        ended("aborted");
        current = new Attempt(++count, target);
        for (int i = 0; i < watchers.size(); i++) {
            try {
                watchers.get(i).started(current);
            } catch (RuntimeException e) {
                drop(i--, e);
            }
        }
        current.writable = false;
    }

    /** The node answered the current try with {@code status}; the try goes on while its body is relayed. */
    void answered(int status) {
        if (current != null) {
            current.status = status;
        }
    }

    /** The current try failed, for {@code failure}. */
    void failed(UpstreamFailure failure) {
        ended(switch (failure) {
            case CONNECT_FAILED -> "connect_failed";
            case CONNECT_TIMED_OUT -> "connect_timed_out";
            case TIMED_OUT -> "timed_out";
            case BROKEN -> "broken";
        });
    }

    /** The current try was never sent: a plugin made its request malformed (the client gets 500). */
    void refused() {
        ended("refused");
    }

    /** The current try's response was relayed to its end. */
    void completed() {
        ended(null);
    }

    /** The exchange is over: a try still open was cut short (the client went away, a timeout). */
    void exchangeOver() {
        ended("aborted");
    }

    private void ended(String failure) {
        Attempt attempt = current;
        if (attempt == null) {
            return;
        }
        current = null;
        attempt.failure = failure;
        if (failure != null && !"aborted".equals(failure)) {
            attempt.status = 0;  // a head that came before the break was no complete response
        }
        for (int i = 0; i < watchers.size(); i++) {
            try {
                watchers.get(i).ended(attempt);
            } catch (RuntimeException e) {
                drop(i--, e);
            }
        }
    }

    private void drop(int index, RuntimeException e) {
        log.error("an upstream try watcher failed; it sees no more tries of this request", e);
        watchers.remove(index);
    }

    private final class Attempt implements UpstreamTry {
        private final int number;
        private final UpstreamNodeTarget target;
        private boolean writable = true;
        private int status;
        private String failure;

        Attempt(int number, UpstreamNodeTarget target) {
            this.number = number;
            this.target = target;
        }

        @Override
        public int number() {
            return number;
        }

        @Override
        public String nodeAddress() {
            return target.address();
        }

        @Override
        public String nodeIp() {
            return target.endpoint().address();
        }

        @Override
        public int nodePort() {
            return target.endpoint().port();
        }

        @Override
        public String scheme() {
            return target.endpoint().scheme();
        }

        @Override
        public String method() {
            return exchange.getRequestMethod().toString();
        }

        @Override
        public void setHeader(String name, String value) {
            if (!writable) {
                throw new IllegalStateException("a try's headers are set when it starts");
            }
            exchange.getRequestHeaders().put(HeaderNames.of(name), SafeHeaderValue.of(value));
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public String failure() {
            return failure;
        }
    }
}
