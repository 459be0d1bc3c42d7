package io.tidegate.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;

/**
 * APISIX's (nginx's) forwarding headers. X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-Port
 * as the client sent them, else the scheme, the Host the client asked for and the port it
 * connected to: set before plugins run (so they may change them) and before Host may be rewritten
 * (pass_host node/rewrite), so they always describe the client's request. X-Forwarded-For and
 * X-Real-IP are written into the upstream request only ({@link #writeClient}), as nginx's
 * {@code proxy_set_header} does: they name the client real-ip found, and the request's own
 * headers, which later phases and the loggers read, stay as the client sent them.
 */
final class ForwardedHeaders {
    private ForwardedHeaders() {}

    /** What every request on one connection forwards alike, worked out once per connection. */
    private record ConnectionFacts(String client, String port) {
        static final AttachmentKey<ConnectionFacts> KEY = AttachmentKey.create(ConnectionFacts.class);

        static ConnectionFacts of(HttpServerExchange exchange) {
            ConnectionFacts facts = exchange.getConnection().getAttachment(KEY);
            if (facts == null) {
                InetSocketAddress source = exchange.getSourceAddress();
                String client = source == null || source.getAddress() == null ? null : source.getAddress().getHostAddress();
                facts = new ConnectionFacts(client, Integer.toString(exchange.getDestinationAddress().getPort()));
                exchange.getConnection().putAttachment(KEY, facts);
            }
            return facts;
        }
    }

    private static final io.undertow.util.HttpString X_REAL_IP = new io.undertow.util.HttpString("X-Real-IP");

    /** The client's address as a plugin (real-ip) set it, when one did; absent otherwise. */
    static final AttachmentKey<String> REAL_CLIENT = AttachmentKey.create(String.class);

    /** Where {@link #writeClient} writes a header of the upstream request (a head writer may refuse a value: E). */
    @FunctionalInterface
    interface HeaderSink<E extends Exception> {
        void field(io.undertow.util.HttpString name, String value) throws E;
    }

    /** Whether {@link #writeClient} writes the header {@code name}: the request's own copy is then not sent. */
    static boolean writtenApart(io.undertow.util.HttpString name) {
        return Headers.X_FORWARDED_FOR.equals(name) || X_REAL_IP.equals(name);
    }

    /**
     * nginx's {@code X-Forwarded-For: $proxy_add_x_forwarded_for} and {@code X-Real-IP: $remote_addr}
     * into the upstream request: the client's address (the one real-ip found, else the peer)
     * appended to X-Forwarded-For as plugins left it, and sent as X-Real-IP whatever the client or
     * a plugin put there. Without a client address (none known), the request's own are sent.
     */
    static <E extends Exception> void writeClient(HttpServerExchange exchange, HeaderSink<E> to) throws E {
        String client = exchange.getAttachment(REAL_CLIENT);
        if (client == null) {
            client = ConnectionFacts.of(exchange).client();
        }
        HeaderMap headers = exchange.getRequestHeaders();
        var forwarded = headers.get(Headers.X_FORWARDED_FOR);
        if (client == null) {
            asReceived(headers, Headers.X_FORWARDED_FOR, to);
            asReceived(headers, X_REAL_IP, to);
            return;
        }
        to.field(Headers.X_FORWARDED_FOR, forwarded == null || forwarded.isEmpty() ? client : String.join(", ", forwarded) + ", " + client);
        to.field(X_REAL_IP, client);
    }

    private static <E extends Exception> void asReceived(HeaderMap headers, io.undertow.util.HttpString name, HeaderSink<E> to) throws E {
        var values = headers.get(name);
        if (values != null) {
            for (String value : values) {
                to.field(name, value);
            }
        }
    }

    static void addMissing(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getRequestHeaders();
        ConnectionFacts facts = ConnectionFacts.of(exchange);
        if (!headers.contains(Headers.X_FORWARDED_PROTO)) {
            headers.put(Headers.X_FORWARDED_PROTO, exchange.getRequestScheme());
        }
        if (!headers.contains(Headers.X_FORWARDED_HOST)) {
            String host = exchange.getHostName();
            if (host != null && !host.isEmpty()) {
                headers.put(Headers.X_FORWARDED_HOST, host);
            }
        }
        if (!headers.contains(Headers.X_FORWARDED_PORT)) {
            headers.put(Headers.X_FORWARDED_PORT, facts.port());
        }
    }
}
