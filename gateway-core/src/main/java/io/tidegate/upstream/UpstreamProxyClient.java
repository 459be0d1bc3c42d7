package io.tidegate.upstream;

import io.undertow.client.ClientConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compiled form of one upstream, as Undertow's proxy sees it: picks a node with the balancer,
 * hands out a pooled connection to it, and on a connect failure lets the proxy retry on a node not
 * tried yet, up to {@code retries} times.
 */
public final class UpstreamProxyClient implements ProxyClient {
    private static final Logger log = LoggerFactory.getLogger(UpstreamProxyClient.class);
    /** The upstream connection of the current try, so a timeout can abort it. */
    public static final AttachmentKey<ClientConnection> CONNECTION = AttachmentKey.create(ClientConnection.class);
    /** {@code host:port} of the node of the current try, for logs and errors. */
    public static final AttachmentKey<String> NODE_ADDRESS = AttachmentKey.create(String.class);
    private static final AttachmentKey<Attempts> ATTEMPTS = AttachmentKey.create(Attempts.class);

    private final String name;
    private final UpstreamNodeTarget[] nodes;
    private final Balancer balancer;
    private final boolean passNodeHost;
    private final ProxyTarget target;

    UpstreamProxyClient(String name, List<UpstreamNodeTarget> nodes, Balancer balancer, int retries, boolean passNodeHost) {
        this.name = name;
        this.nodes = nodes.toArray(new UpstreamNodeTarget[0]);
        this.balancer = balancer;
        this.passNodeHost = passNodeHost;
        this.target = (MaxRetriesProxyTarget) () -> retries;
    }

    /** A readable name for logs: the upstream id, or the route that holds it inline. */
    public String name() {
        return name;
    }

    public boolean hasNodes() {
        return nodes.length > 0;
    }

    @Override
    public ProxyTarget findTarget(HttpServerExchange exchange) {
        // After a timeout the exchange is being answered with 504; no further tries.
        if (nodes.length == 0 || exchange.getAttachment(UpstreamFailure.KEY) == UpstreamFailure.TIMED_OUT) {
            return null;
        }
        return target;
    }

    @Override
    public void getConnection(ProxyTarget target, HttpServerExchange exchange, ProxyCallback<ProxyConnection> callback,
                              long timeout, TimeUnit timeUnit) {
        Attempts attempts = exchange.getAttachment(ATTEMPTS);
        if (attempts == null) {
            attempts = new Attempts(nodes.length);
            exchange.putAttachment(ATTEMPTS, attempts);
        }
        UpstreamNodeTarget node = nodes[attempts.choose(balancer)];
        exchange.putAttachment(NODE_ADDRESS, node.address());
        if (passNodeHost) {
            exchange.getRequestHeaders().put(Headers.HOST, node.hostHeader());
        }
        node.pool().connect(target, exchange, new TrackingCallback(callback, node, name), timeout, timeUnit, false);
    }

    /** Which nodes this exchange has tried, so a retry goes to another one while any is left. */
    private static final class Attempts {
        private final boolean[] tried;
        private int triedCount;

        Attempts(int nodes) {
            this.tried = new boolean[nodes];
        }

        int choose(Balancer balancer) {
            int pick = balancer.next();
            if (triedCount < tried.length) {
                // a weighted cycle visits every node within its length, so this loop ends
                while (tried[pick]) {
                    pick = balancer.next();
                }
                tried[pick] = true;
                triedCount++;
            }
            return pick;
        }
    }

    /** Records the outcome of one connect on the exchange before handing it on. */
    private record TrackingCallback(ProxyCallback<ProxyConnection> next, UpstreamNodeTarget node, String upstream)
            implements ProxyCallback<ProxyConnection> {
        @Override
        public void completed(HttpServerExchange exchange, ProxyConnection connection) {
            if (exchange.getAttachment(UpstreamFailure.KEY) == UpstreamFailure.TIMED_OUT) {
                // the response deadline passed while connecting: this connection is no longer wanted
                org.xnio.IoUtils.safeClose(connection.getConnection());
                next.failed(exchange);
                return;
            }
            exchange.removeAttachment(UpstreamFailure.KEY);
            exchange.putAttachment(CONNECTION, connection.getConnection());
            next.completed(exchange, connection);
        }

        @Override
        public void failed(HttpServerExchange exchange) {
            markFailed(exchange);
            next.failed(exchange);
        }

        @Override
        public void couldNotResolveBackend(HttpServerExchange exchange) {
            markFailed(exchange);
            next.couldNotResolveBackend(exchange);
        }

        @Override
        public void queuedRequestFailed(HttpServerExchange exchange) {
            markFailed(exchange);
            next.queuedRequestFailed(exchange);
        }

        private void markFailed(HttpServerExchange exchange) {
            log.warn("upstream {}: connect to {} failed ({} {})", upstream, node.address(),
                    exchange.getRequestMethod(), exchange.getRequestPath());
            if (exchange.getAttachment(UpstreamFailure.KEY) != UpstreamFailure.TIMED_OUT) {
                exchange.putAttachment(UpstreamFailure.KEY, UpstreamFailure.CONNECT_FAILED);
            }
        }
    }
}
