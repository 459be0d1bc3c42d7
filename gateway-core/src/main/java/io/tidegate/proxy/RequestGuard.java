package io.tidegate.proxy;

import io.tidegate.config.RequestLimits;
import io.tidegate.http.PathNormaliser;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.URLUtils;

/**
 * Turns away requests no route should see, before routing (after the access log and metrics
 * start watching, so refusals are logged and counted): a request target over
 * {@code max_uri_length} (414), too many or too large headers (431), a path that climbs above the
 * root (400). Normalises dot segments and repeated slashes ({@link PathNormaliser}) so routes and
 * plugins see the path the upstream will act on. Undertow itself already refuses
 * {@code Content-Length} together with {@code Transfer-Encoding}, conflicting or repeated
 * {@code Content-Length}, and bare CR or LF in header values (400, connection closed), and turns
 * obsolete line folding into a space, so the upstream never sees a folded header.
 */
public final class RequestGuard {
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
        if (!exchange.isHostIncludedInRequestURI() && PathNormaliser.needsWork(raw)) {
            String normal = PathNormaliser.normalise(raw);
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
