package io.tidegate.proxy;

import io.undertow.server.HttpServerExchange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;

/**
 * Client connections, counted at accept: {@code max_connections} in all and
 * {@code max_connections_per_client} per client address. At the overall limit a slow client must
 * not shut out everyone else (a slowloris holds connections open without ever finishing a request
 * head), so the connection that has waited longest without a request in progress is closed to make
 * room for the new one; only when every connection is busy with a request is the new one refused.
 * Over its own address's limit a connection is closed at once.
 */
final class ClientConnections {
    private static final Logger log = LoggerFactory.getLogger(ClientConnections.class);

    private final int maxTotal;
    private final int maxPerClient;
    private final Map<InetSocketAddress, Tracked> byPeer = new ConcurrentHashMap<>();
    private final Map<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    /** Open client connections, counted whether or not a limit is set: a hand-over waits for them. */
    private final AtomicInteger open = new AtomicInteger();
    /** Client connections accepted, and of those admitted past the limits, since start (nginx's accepted, handled). */
    private final java.util.concurrent.atomic.LongAdder accepted = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder handled = new java.util.concurrent.atomic.LongAdder();
    private volatile long lastRefusalLog;

    /** Limits of 0 are off. */
    ClientConnections(int maxTotal, int maxPerClient) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    boolean enabled() {
        return maxTotal > 0 || maxPerClient > 0;
    }

    /** One client connection: whether a request is in progress on it, and since when it waits without one. */
    private static final class Tracked {
        final StreamConnection connection;
        final InetAddress client;
        /** Requests (HTTP/2 streams) in progress. */
        final AtomicInteger busy = new AtomicInteger();
        /** System.nanoTime() since which it has had no request in progress. */
        volatile long idleSince = System.nanoTime();
        volatile boolean counted = true;

        Tracked(StreamConnection connection, InetAddress client) {
            this.connection = connection;
            this.client = client;
        }
    }

    /** Client connections open now. */
    int open() {
        return open.get();
    }

    long accepted() {
        return accepted.sum();
    }

    long handled() {
        return handled.sum();
    }

    /** Wraps a listener's open listener: a connection is admitted, or closed, before HTTP sees it. */
    ChannelListener<StreamConnection> admitting(ChannelListener<StreamConnection> next) {
        return connection -> {
            if (admit(connection)) {
                next.handleEvent(connection);
                chainCloseListener(connection);
            }
        };
    }

    /**
     * An open listener ALPN hands connections to; once it has taken one over (replacing its close
     * listener), ours is put back in front.
     */
    io.undertow.server.DelegateOpenListener keepingCloseListener(io.undertow.server.DelegateOpenListener next) {
        return new AfterOpenListener(next, this::chainCloseListener);
    }

    private boolean admit(StreamConnection connection) {
        accepted.increment();
        InetSocketAddress peer = connection.getPeerAddress(InetSocketAddress.class);
        if (peer == null) {
            IoUtils.safeClose(connection);
            return false;
        }
        InetAddress client = peer.getAddress();
        if (maxPerClient > 0) {
            AtomicInteger count = perClient.computeIfAbsent(client, a -> new AtomicInteger());
            if (count.incrementAndGet() > maxPerClient) {
                count.decrementAndGet();
                refused("client " + client.getHostAddress() + " has " + maxPerClient + " connections open (max_connections_per_client)");
                IoUtils.safeClose(connection);
                return false;
            }
        }
        if (maxTotal > 0 && total.incrementAndGet() > maxTotal && !evictOneWaiting()) {
            total.decrementAndGet();
            release(client);
            refused(maxTotal + " client connections are busy with requests (max_connections)");
            IoUtils.safeClose(connection);
            return false;
        }
        Tracked tracked = new Tracked(connection, client);
        handled.increment();
        open.incrementAndGet();
        byPeer.put(peer, tracked);
        connection.setCloseListener(closed(tracked, peer, null));
        return true;
    }

    /** Closes the connection that has waited longest without a request in progress; false when there is none. */
    private boolean evictOneWaiting() {
        Tracked oldest = null;
        for (Tracked tracked : byPeer.values()) {
            if (tracked.busy.get() == 0 && tracked.connection.isOpen()
                    && (oldest == null || tracked.idleSince < oldest.idleSince)) {
                oldest = tracked;
            }
        }
        if (oldest == null) {
            return false;
        }
        log.debug("max_connections reached: closing a connection from {} that waited {} ms without a request",
                oldest.client.getHostAddress(), (System.nanoTime() - oldest.idleSince) / 1_000_000);
        uncount(oldest);
        IoUtils.safeClose(oldest.connection);
        return true;
    }

    private void chainCloseListener(StreamConnection connection) {
        InetSocketAddress peer = connection.getPeerAddress(InetSocketAddress.class);
        Tracked tracked = peer == null ? null : byPeer.get(peer);
        ChannelListener<? super StreamConnection> current = connection.getCloseListener();
        if (tracked != null && !(current instanceof Closed)) {
            connection.setCloseListener(closed(tracked, peer, current));
        }
    }

    private Closed closed(Tracked tracked, InetSocketAddress peer, ChannelListener<? super StreamConnection> next) {
        return new Closed(connection -> {
            byPeer.remove(peer, tracked);
            uncount(tracked);
            if (next != null) {
                next.handleEvent(connection);
            }
        });
    }

    /** Our close listener, so it is chained once. */
    private record Closed(ChannelListener<StreamConnection> body) implements ChannelListener<StreamConnection> {
        @Override
        public void handleEvent(StreamConnection channel) {
            body.handleEvent(channel);
        }
    }

    private void uncount(Tracked tracked) {
        synchronized (tracked) {
            if (!tracked.counted) {
                return;
            }
            tracked.counted = false;
        }
        open.decrementAndGet();
        if (maxTotal > 0) {
            total.decrementAndGet();
        }
        release(tracked.client);
    }

    private void release(InetAddress client) {
        if (maxPerClient > 0) {
            AtomicInteger count = perClient.get(client);
            if (count != null && count.decrementAndGet() <= 0) {
                perClient.remove(client, count);
            }
        }
    }

    /** {@code next}, telling these counts which connections have a request in progress. */
    io.undertow.server.HttpHandler tracking(io.undertow.server.HttpHandler next) {
        if (!enabled()) {
            return next;
        }
        return exchange -> {
            requestStarted(exchange);
            next.handleRequest(exchange);
        };
    }

    /** A request started on the exchange's connection: it is busy, not waiting. */
    private void requestStarted(HttpServerExchange exchange) {
        Tracked tracked = tracked(exchange);
        if (tracked != null) {
            tracked.busy.incrementAndGet();
            exchange.addExchangeCompleteListener((ex, next) -> {
                if (tracked.busy.decrementAndGet() == 0) {
                    tracked.idleSince = System.nanoTime();
                }
                next.proceed();
            });
        }
    }

    private Tracked tracked(HttpServerExchange exchange) {
        InetSocketAddress peer = exchange.getConnection().getPeerAddress(InetSocketAddress.class);
        return peer == null ? null : byPeer.get(peer);
    }

    private void refused(String why) {
        long now = System.nanoTime();
        if (now - lastRefusalLog > 10_000_000_000L) {
            lastRefusalLog = now;
            log.warn("refusing client connections: {} (logged at most every 10 s)", why);
        }
    }
}
