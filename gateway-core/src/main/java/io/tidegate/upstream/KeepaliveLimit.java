package io.tidegate.upstream;

import io.undertow.client.ClientConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code keepalive_pool.requests}: after that many requests a pooled upstream connection is
 * retired. The last request asks the upstream to close ({@code Connection: close}), so the
 * connection is never handed out again.
 */
final class KeepaliveLimit {
    private final int requests;
    private final Map<ClientConnection, AtomicInteger> uses = new ConcurrentHashMap<>();

    KeepaliveLimit(int requests) {
        this.requests = requests;
    }

    void count(ClientConnection connection, HttpServerExchange exchange) {
        AtomicInteger counter = uses.get(connection);
        if (counter == null) {
            counter = new AtomicInteger();
            uses.put(connection, counter);
            connection.addCloseListener(uses::remove);
        }
        if (counter.incrementAndGet() >= requests) {
            exchange.getRequestHeaders().put(Headers.CONNECTION, "close");
        }
    }
}
