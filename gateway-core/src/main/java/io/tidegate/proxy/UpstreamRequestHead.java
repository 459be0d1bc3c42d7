package io.tidegate.proxy;

import io.tidegate.http1.RequestHeadWriter;
import io.tidegate.http1.RequestHeadWriter.InvalidRequestException;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.util.Set;

/**
 * The HTTP/1.1 request head sent upstream, from the exchange as routes and plugins left it: the
 * method, the (normalised) target and query, Host, every end-to-end header, and the framing the
 * gateway chose for the body. Connection-level headers never pass (they describe the client's
 * hop), nor HTTP/2 pseudo-headers; HTTP/2 cookie crumbs are joined into one Cookie line as RFC 9113
 * section 8.2.3 asks.
 */
final class UpstreamRequestHead {
    private static final HttpString PROXY_CONNECTION = new HttpString("Proxy-Connection");
    private static final HttpString HTTP2_SETTINGS = new HttpString("HTTP2-Settings");
    private static final Set<HttpString> WRITTEN_APART = Set.of(Headers.HOST, Headers.CONTENT_LENGTH,
            Headers.TRANSFER_ENCODING, Headers.CONNECTION, Headers.KEEP_ALIVE, PROXY_CONNECTION, Headers.TE, Headers.TRAILER,
            Headers.UPGRADE, HTTP2_SETTINGS, Headers.EXPECT, Headers.COOKIE);

    private UpstreamRequestHead() {}

    /**
     * @param defaultHost the Host to send when the client sent none (HTTP/1.0)
     * @param upgrade     whether this is a WebSocket handshake the route lets through
     */
    static RequestHeadWriter write(HttpServerExchange exchange, String defaultHost, RequestBodyPlan body, boolean upgrade)
            throws InvalidRequestException {
        RequestHeadWriter head = new RequestHeadWriter().requestLine(exchange.getRequestMethod().toString(), target(exchange));
        HeaderMap headers = exchange.getRequestHeaders();
        String host = headers.getFirst(Headers.HOST);
        head.field("Host", host == null || host.isEmpty() ? defaultHost : host);
        for (HeaderValues values : headers) {
            HttpString name = values.getHeaderName();
            if (WRITTEN_APART.contains(name) || ForwardedHeaders.writtenApart(name) || name.length() > 0 && name.byteAt(0) == ':') {
                continue;
            }
            String text = name.toString();
            for (String value : values) {
                head.field(text, value);
            }
        }
        ForwardedHeaders.writeClient(exchange, (name, value) -> head.field(name.toString(), value));
        HeaderValues cookies = headers.get(Headers.COOKIE);
        if (cookies != null && !cookies.isEmpty()) {
            head.field("Cookie", cookies.size() == 1 ? cookies.getFirst() : String.join("; ", cookies));
        }
        switch (body.kind()) {
            case LENGTH -> head.field("Content-Length", Long.toString(body.length()));
            case CHUNKED -> head.field("Transfer-Encoding", "chunked");
            default -> { }
        }
        if (upgrade) {
            head.field("Connection", "Upgrade").field("Upgrade", headers.getFirst(Headers.UPGRADE));
        }
        return head;
    }

    /** The origin-form target: path and query, without the scheme and authority of an absolute-form request. */
    static String target(HttpServerExchange exchange) {
        String path = exchange.getRequestURI();
        if (exchange.isHostIncludedInRequestURI()) {
            int authority = path.indexOf("//");
            int start = authority < 0 ? -1 : path.indexOf('/', authority + 2);
            path = start < 0 ? "/" : path.substring(start);
        }
        String query = exchange.getQueryString();
        return query == null || query.isEmpty() ? path : path + "?" + query;
    }
}
