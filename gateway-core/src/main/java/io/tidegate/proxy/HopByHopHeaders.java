package io.tidegate.proxy;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.ResponseCommitListener;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.List;

/**
 * Headers that describe one connection, not the message (RFC 9110 7.6.1), so a proxy must not
 * forward them: the fixed set plus any header the {@code Connection} header names.
 * {@code Transfer-Encoding} is left to Undertow, which re-frames bodies on each side itself.
 */
final class HopByHopHeaders {
    private static final List<HttpString> REQUEST = List.of(Headers.CONNECTION, Headers.KEEP_ALIVE,
            new HttpString("Proxy-Connection"), Headers.TE, Headers.TRAILER, Headers.UPGRADE);
    private static final List<HttpString> RESPONSE = List.of(Headers.CONNECTION, Headers.KEEP_ALIVE,
            new HttpString("Proxy-Connection"), Headers.TRAILER, Headers.UPGRADE);

    /**
     * Strips the upstream's hop-by-hop headers just before the response head goes to the client,
     * except on a 101 Switching Protocols, whose Upgrade and Connection complete the handshake.
     */
    static final ResponseCommitListener STRIP_RESPONSE = exchange -> {
        if (exchange.getStatusCode() != 101) {
            strip(exchange.getResponseHeaders(), RESPONSE);
        }
    };

    private HopByHopHeaders() {}

    static void stripRequest(HttpServerExchange exchange) {
        strip(exchange.getRequestHeaders(), REQUEST);
    }

    /** A WebSocket handshake keeps {@code Upgrade: websocket} and {@code Connection: Upgrade}. */
    static void stripRequestKeepingUpgrade(HttpServerExchange exchange) {
        String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
        strip(exchange.getRequestHeaders(), REQUEST);
        exchange.getRequestHeaders().put(Headers.UPGRADE, upgrade);
        exchange.getRequestHeaders().put(Headers.CONNECTION, "Upgrade");
    }

    /** Removes the header a Connection token names, unless the token is an option rather than a name. */
    private static void removeNamed(HeaderMap headers, String token) {
        String name = token.trim();
        if (!name.isEmpty() && !name.equalsIgnoreCase("close") && !name.equalsIgnoreCase("keep-alive")) {
            headers.remove(name);
        }
    }

    static boolean isWebSocketUpgrade(HttpServerExchange exchange) {
        String upgrade = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    private static void strip(HeaderMap headers, List<HttpString> fixed) {
        HeaderValues connection = headers.get(Headers.CONNECTION);
        if (connection != null) {
            for (String value : connection) {
                if (value.indexOf(',') < 0) {
                    removeNamed(headers, value); // the usual single token ("keep-alive"), without a split
                    continue;
                }
                for (String token : value.split(",")) {
                    removeNamed(headers, token);
                }
            }
        }
        for (HttpString name : fixed) {
            headers.remove(name);
        }
    }
}
