package io.tidegate.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;

/**
 * APISIX's (nginx's) forwarding headers: the client's address appended to X-Forwarded-For
 * ({@code $proxy_add_x_forwarded_for}); X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-Port
 * as the client sent them, else the scheme, the Host the client asked for and the port it
 * connected to. Set before plugins run (so they may change them) and before Host may be rewritten
 * (pass_host node/rewrite), so they always describe the client's request.
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

    /**
     * A plugin (real-ip) found the client behind the peer: the address appended to X-Forwarded-For
     * and sent as X-Real-IP becomes that client's, as with nginx's real_ip module.
     */
    static void clientChanged(HttpServerExchange exchange, InetSocketAddress client) {
        String peer = ConnectionFacts.of(exchange).client();
        String now = client.getAddress().getHostAddress();
        HeaderMap headers = exchange.getRequestHeaders();
        String forwarded = headers.getFirst(Headers.X_FORWARDED_FOR);
        if (peer != null && forwarded != null) {
            if (forwarded.equals(peer)) {
                headers.put(Headers.X_FORWARDED_FOR, now);
            } else if (forwarded.endsWith(", " + peer)) {
                headers.put(Headers.X_FORWARDED_FOR, forwarded.substring(0, forwarded.length() - peer.length()) + now);
            }
        }
        headers.put(X_REAL_IP, now);
    }

    static void addMissing(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getRequestHeaders();
        ConnectionFacts facts = ConnectionFacts.of(exchange);
        if (facts.client() != null) {
            String client = facts.client();
            var forwarded = headers.get(Headers.X_FORWARDED_FOR);
            headers.put(Headers.X_FORWARDED_FOR, forwarded == null || forwarded.isEmpty() ? client
                    : String.join(", ", forwarded) + ", " + client);
            // APISIX's proxy_set_header X-Real-IP $remote_addr: always the peer, whatever the client sent
            headers.put(X_REAL_IP, client);
        }
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
