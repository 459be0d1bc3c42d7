package io.tidegate.proxy;

import io.tidegate.http1.HttpSyntax;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Protocols;
import java.util.Set;

/**
 * What HTTP calls a malformed request, which a gateway must never forward (RFC 9113 section 8.1.1,
 * RFC 9112 section 6): Undertow's HTTP/1.1 parser refuses most of it itself, but its HTTP/2 side
 * passes any bytes HPACK carries, so a header value holding CR LF would become a header, or a whole
 * request, of its own on the upstream's HTTP/1.1 connection.
 */
final class MalformedRequest {
    /** Fields that describe one HTTP/1.1 connection; in an HTTP/2 request they make it malformed (RFC 9113 8.2.2). */
    private static final Set<HttpString> CONNECTION_SPECIFIC = Set.of(Headers.CONNECTION, Headers.KEEP_ALIVE,
            new HttpString("Proxy-Connection"), Headers.TRANSFER_ENCODING, Headers.UPGRADE);

    private static final HttpString HTTP2_SETTINGS = new HttpString("HTTP2-Settings");

    /** Why the request is malformed, and what it calls for. */
    record Problem(int status, String reason) {}

    private MalformedRequest() {}

    /** The request's problem, or null when it may be routed. */
    static Problem check(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getRequestHeaders();
        // The request that upgraded an HTTP/1.1 connection to h2c was read by the HTTP/1.1 parser and
        // may carry capitalised names and its Connection/Upgrade. A client that fakes one only escapes
        // the naming rules: values are checked for every request, and framing and hop-by-hop headers
        // are never forwarded anyway.
        boolean http2 = exchange.getProtocol().equals(Protocols.HTTP_2_0) && !headers.contains(HTTP2_SETTINGS);
        for (HeaderValues values : headers) {
            HttpString name = values.getHeaderName();
            if (name.length() > 0 && name.byteAt(0) == ':') {
                continue; // pseudo-headers: Undertow checked them
            }
            String reason = http2 ? http2Field(name) : null;
            if (reason != null) {
                return new Problem(400, reason);
            }
            for (String value : values) {
                if (!HttpSyntax.isFieldValue(value) || http2 && hasOuterWhitespace(value)) {
                    return new Problem(400, "invalid value in header " + printable(name));
                }
            }
        }
        if (!http2) {
            return http11(headers);
        }
        return null;
    }

    private static String http2Field(HttpString name) {
        // Undertow itself adds Host (from :authority), capitalised
        boolean lowerCaseRequired = !name.equals(Headers.HOST);
        for (int i = 0; i < name.length(); i++) {
            byte b = name.byteAt(i);
            if (lowerCaseRequired && b >= 'A' && b <= 'Z' || !HttpSyntax.isTokenByte(b)) {
                return "invalid header name " + printable(name);
            }
        }
        return CONNECTION_SPECIFIC.contains(name) ? "connection-specific header " + name + " in an HTTP/2 request" : null;
    }

    private static boolean hasOuterWhitespace(String value) {
        if (value.isEmpty()) {
            return false;
        }
        char first = value.charAt(0);
        char last = value.charAt(value.length() - 1);
        return first == ' ' || first == '\t' || last == ' ' || last == '\t';
    }

    /**
     * A body framing the gateway could only guess at: a transfer coding other than chunked (RFC 9112
     * 6.1: 501, as nginx answers), and more than one Host.
     */
    private static Problem http11(HeaderMap headers) {
        HeaderValues codings = headers.get(Headers.TRANSFER_ENCODING);
        if (codings != null && (codings.size() != 1 || !codings.getFirst().trim().equalsIgnoreCase("chunked"))) {
            return new Problem(501, "unsupported Transfer-Encoding");
        }
        if (headers.count(Headers.HOST) > 1) {
            return new Problem(400, "more than one Host header");
        }
        return null;
    }

    private static String printable(HttpString name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(name.length(), 64); i++) {
            int c = name.byteAt(i) & 0xff;
            out.append(c > 0x20 && c < 0x7f ? (char) c : '?');
        }
        return out.toString();
    }
}
