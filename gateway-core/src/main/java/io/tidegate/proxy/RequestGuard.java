package io.tidegate.proxy;

import io.tidegate.config.RequestLimits;
import io.tidegate.http.EscapedSlashes;
import io.tidegate.http.PathNormaliser;
import io.undertow.protocols.http2.Http2Channel;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.URLUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns away requests no route should see, before routing (after the access log and metrics
 * start watching, so refusals are logged and counted): a request target over
 * {@code max_uri_length} (414), too many or too large headers (431), a malformed request (an
 * HTTP/2 stream error, or 400; 501 for a transfer coding other than chunked), a path that climbs
 * above the root (400). Rewrites the path so routes, plugins and the upstream all see the same one:
 * an absolute-form target becomes origin-form (its authority the Host), encoded slashes are decoded
 * or refused ({@code escaped_slashes}), and dot segments and repeated slashes are normalised
 * ({@link PathNormaliser}). Undertow's HTTP/1.1 parser itself refuses {@code Content-Length} with
 * {@code Transfer-Encoding}, conflicting or repeated {@code Content-Length}, and bare CR or LF in
 * header values (400, connection closed), and joins obsolete line folding with a space.
 */
public final class RequestGuard {
    private static final Logger log = LoggerFactory.getLogger(RequestGuard.class);
    private final RequestLimits limits;

    public RequestGuard(RequestLimits limits) {
        this.limits = limits;
    }

    /** False when the request was refused (and answered); true when it may be routed. */
    boolean admit(HttpServerExchange exchange) {
        String raw = exchange.getRequestURI();
        if (raw.length() + exchange.getQueryString().length() > limits.maxUriLength()) {
            return refuse(exchange, 414, "414 Request-URI Too Large");
        }
        if (headersTooLarge(exchange)) {
            return refuse(exchange, 431, "431 Request Header Fields Too Large");
        }
        MalformedRequest.Problem problem = MalformedRequest.check(exchange);
        if (problem != null) {
            return malformed(exchange, problem);
        }
        if (exchange.isHostIncludedInRequestURI()) {
            raw = originForm(exchange, raw);
        }
        String path = EscapedSlashes.apply(raw, limits.escapedSlashes());
        if (path == null) {
            return refuse(exchange, 400, "400 Bad Request");
        }
        if (path != raw || PathNormaliser.needsWork(path)) {
            String normal = PathNormaliser.normalise(path);
            if (normal == null) {
                return refuse(exchange, 400, "400 Bad Request");
            }
            String decoded = URLUtils.decode(normal, "UTF-8", false, new StringBuilder());
            exchange.setRequestURI(normal, false);
            exchange.setRequestPath(decoded);
            exchange.setRelativePath(decoded);
        }
        return true;
    }

    /**
     * {@code GET http://host/path}: the target's authority is the Host (RFC 9112 3.2.2), and the
     * path is routed and forwarded as any other.
     */
    private static String originForm(HttpServerExchange exchange, String uri) {
        int authority = uri.indexOf("//");
        int slash = authority < 0 ? -1 : uri.indexOf('/', authority + 2);
        String host = authority < 0 ? null : uri.substring(authority + 2, slash < 0 ? uri.length() : slash);
        String path = slash < 0 ? "/" : uri.substring(slash);
        if (host != null && !host.isEmpty()) {
            exchange.getRequestHeaders().put(Headers.HOST, host);
        }
        exchange.setRequestURI(path, false);
        exchange.setRequestPath(URLUtils.decode(path, "UTF-8", false, new StringBuilder()));
        exchange.setRelativePath(exchange.getRequestPath());
        return path;
    }

    /**
     * A malformed HTTP/2 request is a stream error of type PROTOCOL_ERROR (RFC 9113 8.1.1): the
     * stream is reset and nothing is answered; HTTP/1.1 gets its status and a closed connection.
     */
    private static boolean malformed(HttpServerExchange exchange, MalformedRequest.Problem problem) {
        log.debug("{} {}: malformed request refused: {}", exchange.getRequestMethod(), exchange.getRequestPath(),
                problem.reason());
        if (Http2Streams.reset(exchange, Http2Channel.ERROR_PROTOCOL_ERROR)) {
            exchange.endExchange();
            return false;
        }
        return refuse(exchange, problem.status(), problem.status() == 501 ? "501 Not Implemented" : "400 Bad Request");
    }

    /** Counts header lines (a repeated name counts each time) and their bytes. */
    private boolean headersTooLarge(HttpServerExchange exchange) {
        long lines = 0;
        long bytes = 0;
        for (HeaderValues values : exchange.getRequestHeaders()) {
            lines += values.size();
            for (String value : values) {
                bytes += values.getHeaderName().length() + value.length();
            }
        }
        return lines > limits.maxHeaders() || bytes > limits.maxHeaderSize();
    }

    /** The request's body is not read, so the connection cannot carry another request. */
    private static boolean refuse(HttpServerExchange exchange, int status, String message) {
        exchange.setPersistent(false);
        ErrorResponses.send(exchange, status, message);
        return false;
    }
}
