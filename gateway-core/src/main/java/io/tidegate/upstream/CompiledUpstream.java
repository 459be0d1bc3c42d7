package io.tidegate.upstream;

import io.tidegate.config.Timeouts;
import io.tidegate.health.Outcome;
import io.tidegate.http.ExchangeFacts;
import io.undertow.client.ClientConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyCallback;
import io.undertow.server.handlers.proxy.ProxyClient;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.WorkerUtils;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * The compiled form of one upstream, as Undertow's proxy sees it: picks a node with the balancer,
 * hands out a pooled connection to it within the connect timeout, and on failure lets the proxy
 * retry on a node not tried yet, up to {@code retries} times and within {@code retry_timeout}.
 * With health checks, unhealthy nodes are passed over while a healthy one is left to try (when none
 * is, they serve, as in APISIX), and with passive checks each try's result is reported to its node.
 */
public final class UpstreamProxyClient implements ProxyClient {
    private static final Logger log = LoggerFactory.getLogger(UpstreamProxyClient.class);
    /** The upstream connection of the current try, so a timeout can abort it. */
    public static final AttachmentKey<ClientConnection> CONNECTION = AttachmentKey.create(ClientConnection.class);
    /** The route's effective timeouts; set by the route handler before proxying. */
    public static final AttachmentKey<Timeouts> TIMEOUTS = AttachmentKey.create(Timeouts.class);
    /** Run once the first node is chosen, before connecting (the before_proxy phase). */
    public static final AttachmentKey<BeforeProxy> BEFORE_PROXY = AttachmentKey.create(BeforeProxy.class);
    private static final AttachmentKey<Attempts> ATTEMPTS = AttachmentKey.create(Attempts.class);

    /** The before_proxy phase of one exchange. */
    @FunctionalInterface
    public interface BeforeProxy {
        /** False when a plugin answered the exchange: nothing is sent upstream. */
        boolean proceed(HttpServerExchange exchange);
    }

    private final String name;
    private final UpstreamNodeTarget[] nodes;
    private final Balancer balancer;
    private final HashKey hashKey;
    private final boolean passNodeHost;
    private final long retryTimeoutNanos;
    private final ProxyTarget target;
    private final NodeHealthView health;

    /** @param health the nodes' health, or null without health checks */
    UpstreamProxyClient(String name, List<UpstreamNodeTarget> nodes, Balancer balancer, HashKey hashKey, int retries,
                        double retryTimeoutSeconds, boolean passNodeHost, NodeHealthView health) {
        this.name = name;
        this.nodes = nodes.toArray(new UpstreamNodeTarget[0]);
        this.balancer = balancer;
        this.hashKey = hashKey;
        this.passNodeHost = passNodeHost;
        this.retryTimeoutNanos = (long) (retryTimeoutSeconds * 1e9);
        this.target = (MaxRetriesProxyTarget) () -> retries;
        this.health = health;
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
            attempts = new Attempts(exchange, nodes.length, hashKey, health);
            exchange.putAttachment(ATTEMPTS, attempts);
            exchange.putAttachment(ExchangeFacts.UPSTREAM_START_NANOS, attempts.startNanos);
        } else if (retryTimeoutNanos > 0 && System.nanoTime() - attempts.startNanos > retryTimeoutNanos) {
            log.warn("upstream {}: retry_timeout reached after {} tries ({} {})", name, attempts.count,
                    exchange.getRequestMethod(), exchange.getRequestPath());
            callback.couldNotResolveBackend(exchange);
            return;
        }
        attempts.beforePick();
        int index = balancer.pick(attempts);
        attempts.mark(index);
        UpstreamNodeTarget node = nodes[index];
        exchange.putAttachment(ExchangeFacts.NODE_ADDRESS, node.address());
        BeforeProxy beforeProxy = exchange.removeAttachment(BEFORE_PROXY);
        if (beforeProxy != null && !beforeProxy.proceed(exchange)) {
            return; // answered by a plugin: the proxy is simply never called back
        }
        if (passNodeHost) {
            exchange.getRequestHeaders().put(Headers.HOST, node.hostHeader());
        }
        Timeouts timeouts = exchange.getAttachment(TIMEOUTS);
        long connectMillis = timeouts == null ? 0 : Math.max(1, Math.round(timeouts.connect() * 1000));
        node.pool().connections().connect(target, exchange, new Try(callback, index, attempts, connectMillis, exchange), timeout, timeUnit, false);
    }

    /**
     * Which nodes this exchange has tried, so a retry goes to another one while any is left. To the
     * balancer an unhealthy node looks tried while a healthy untried one remains, so every balancer
     * skips unhealthy nodes the way it skips tried ones.
     */
    private static final class Attempts implements PickContext {
        private final HttpServerExchange exchange;
        private final boolean[] tried;
        private final HashKey hashKey;
        private final NodeHealthView health;
        private final long startNanos = System.nanoTime();
        private String key;
        private int count;
        private int last = -1;
        private boolean skipUnhealthy;

        Attempts(HttpServerExchange exchange, int nodes, HashKey hashKey, NodeHealthView health) {
            this.exchange = exchange;
            this.tried = new boolean[nodes];
            this.hashKey = hashKey;
            this.health = health;
        }

        void beforePick() {
            skipUnhealthy = health != null && health.anyHealthyUntried(tried);
        }

        void mark(int node) {
            tried[node] = true;
            last = node;
            count++;
        }

        @Override
        public boolean tried(int node) {
            return tried[node] || skipUnhealthy && !health.nodes()[node].healthy();
        }

        @Override
        public String hashKey() {
            if (key == null) {
                key = hashKey.of(exchange);
            }
            return key;
        }
    }

    /**
     * One connect attempt: enforces the connect timeout, records the outcome on the exchange,
     * feeds the balancer and the passive health checks, and hands on to the proxy exactly once.
     */
    private final class Try implements ProxyCallback<ProxyConnection> {
        private final ProxyCallback<ProxyConnection> next;
        private final int node;
        private final Attempts attempts;
        private final XnioExecutor.Key timer;
        private boolean settled;

        Try(ProxyCallback<ProxyConnection> next, int node, Attempts attempts, long connectMillis, HttpServerExchange exchange) {
            this.next = next;
            this.node = node;
            this.attempts = attempts;
            this.timer = connectMillis <= 0 ? null
                    : WorkerUtils.executeAfter(exchange.getIoThread(), () -> connectTimedOut(exchange), connectMillis, TimeUnit.MILLISECONDS);
        }

        private boolean settle() {
            if (settled) {
                return false;
            }
            settled = true;
            if (timer != null) {
                timer.remove();
            }
            return true;
        }

        private void connectTimedOut(HttpServerExchange exchange) {
            if (settle()) {
                log.warn("upstream {}: connect to {} timed out ({} {})", name, nodes[node].address(),
                        exchange.getRequestMethod(), exchange.getRequestPath());
                mark(exchange, UpstreamFailure.CONNECT_TIMED_OUT);
                passive(Outcome.TIMEOUT);
                next.failed(exchange);
            }
        }

        @Override
        public void completed(HttpServerExchange exchange, ProxyConnection connection) {
            if (!settle()) {
                // this try already timed out and the proxy moved on: the late connection is not wanted
                IoUtils.safeClose(connection.getConnection());
                return;
            }
            if (exchange.getAttachment(UpstreamFailure.KEY) == UpstreamFailure.TIMED_OUT) {
                // the response deadline passed while connecting; the client has its 504
                IoUtils.safeClose(connection.getConnection());
                next.failed(exchange);
                return;
            }
            exchange.removeAttachment(UpstreamFailure.KEY);
            ClientConnection client = connection.getConnection();
            exchange.putAttachment(CONNECTION, client);
            nodes[node].pool().keepaliveLimit().count(client, exchange);
            balancer.started(node);
            long started = System.nanoTime();
            exchange.addExchangeCompleteListener((ex, nextListener) -> {
                balancer.finished(node, System.nanoTime() - started);
                nextListener.proceed();
            });
            if (health != null && health.passive() != null) {
                // added last, so it runs before any header_filter plugin can change the status
                exchange.addResponseCommitListener(this::judgeResponse);
            }
            next.completed(exchange, connection);
        }

        @Override
        public void failed(HttpServerExchange exchange) {
            if (settle()) {
                connectFailed(exchange);
                next.failed(exchange);
            }
        }

        @Override
        public void couldNotResolveBackend(HttpServerExchange exchange) {
            if (settle()) {
                connectFailed(exchange);
                next.couldNotResolveBackend(exchange);
            }
        }

        @Override
        public void queuedRequestFailed(HttpServerExchange exchange) {
            if (settle()) {
                connectFailed(exchange);
                next.queuedRequestFailed(exchange);
            }
        }

        private void connectFailed(HttpServerExchange exchange) {
            log.warn("upstream {}: connect to {} failed ({} {})", name, nodes[node].address(),
                    exchange.getRequestMethod(), exchange.getRequestPath());
            mark(exchange, UpstreamFailure.CONNECT_FAILED);
            passive(Outcome.TCP_FAILURE);
        }

        /** Passive checks: what the response (or the gateway's error in its place) says about the node. */
        private void judgeResponse(HttpServerExchange exchange) {
            UpstreamFailure failure = exchange.getAttachment(UpstreamFailure.KEY);
            if (attempts.last != node || failure == UpstreamFailure.BROKEN) {
                passive(Outcome.TCP_FAILURE); // the connection broke and a later try took over, or none could
            } else if (failure == UpstreamFailure.TIMED_OUT) {
                passive(Outcome.TIMEOUT);
            } else if (failure == null) {
                health.nodes()[node].reportStatus(exchange.getStatusCode(), health.passive(), "passive");
            }
        }

        private void passive(Outcome outcome) {
            if (health != null && health.passive() != null) {
                health.nodes()[node].report(outcome, health.passive(), "passive");
            }
        }

        private void mark(HttpServerExchange exchange, UpstreamFailure failure) {
            if (exchange.getAttachment(UpstreamFailure.KEY) != UpstreamFailure.TIMED_OUT) {
                exchange.putAttachment(UpstreamFailure.KEY, failure);
            }
        }
    }
}
