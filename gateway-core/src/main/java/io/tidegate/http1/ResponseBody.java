package io.tidegate.http1;

import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;

/**
 * How an upstream response's body is delimited (RFC 9112 section 6.3), decided once from its head:
 * no body (HEAD, 1xx, 204, 304), a length, chunked, or until the connection closes. Anything a
 * careful proxy cannot delimit with certainty is a broken upstream: differing Content-Length
 * values, a Content-Length beside Transfer-Encoding, a transfer coding other than chunked, chunked
 * in an HTTP/1.0 response. Those are refused (502), as nginx refuses them, rather than guessed at.
 *
 * @param length the body's length for {@link Kind#LENGTH}, else -1
 */
public record ResponseBody(Kind kind, long length) {
    public enum Kind { NONE, LENGTH, CHUNKED, UNTIL_CLOSE }

    private static final ResponseBody NONE = new ResponseBody(Kind.NONE, -1);
    private static final ResponseBody CHUNKED = new ResponseBody(Kind.CHUNKED, -1);
    private static final ResponseBody UNTIL_CLOSE = new ResponseBody(Kind.UNTIL_CLOSE, -1);

    /**
     * Decides the framing and leaves {@code fields} as the client should see them: at most one
     * Content-Length, no Transfer-Encoding (the gateway frames the body for its client itself).
     */
    public static ResponseBody of(ResponseHead head, boolean headRequest, HeaderMap fields) throws UpstreamProtocolException {
        HeaderValues codings = fields.get(Headers.TRANSFER_ENCODING);
        HeaderValues lengths = fields.get(Headers.CONTENT_LENGTH);
        long length = lengths == null ? -1 : length(lengths);
        if (codings != null) {
            if (lengths != null) {
                throw new UpstreamProtocolException("upstream sent both Content-Length and Transfer-Encoding");
            }
            if (!head.http11()) {
                throw new UpstreamProtocolException("upstream sent Transfer-Encoding in an HTTP/1.0 response");
            }
            if (codings.size() != 1 || !codings.getFirst().trim().equalsIgnoreCase("chunked")) {
                throw new UpstreamProtocolException("upstream sent an unsupported Transfer-Encoding: " + String.join(", ", codings));
            }
            fields.remove(Headers.TRANSFER_ENCODING);
        }
        if (lengths != null) {
            fields.put(Headers.CONTENT_LENGTH, length);
        }
        int status = head.status();
        if (headRequest || status < 200 || status == 204 || status == 304) {
            if (status == 204) {
                fields.remove(Headers.CONTENT_LENGTH);
            }
            return NONE;
        }
        if (codings != null) {
            return CHUNKED;
        }
        return length >= 0 ? new ResponseBody(Kind.LENGTH, length) : UNTIL_CLOSE;
    }

    /** Every Content-Length value (repeated fields, comma lists) must be the same number. */
    private static long length(HeaderValues values) throws UpstreamProtocolException {
        long length = -1;
        for (String value : values) {
            for (String part : value.indexOf(',') < 0 ? new String[] {value} : value.split(",", -1)) {
                long parsed = digits(part.trim());
                if (length >= 0 && parsed != length) {
                    throw new UpstreamProtocolException("upstream sent conflicting Content-Length values: " + String.join(", ", values));
                }
                length = parsed;
            }
        }
        return length;
    }

    private static long digits(String text) throws UpstreamProtocolException {
        if (text.isEmpty() || text.length() > 18) {
            throw new UpstreamProtocolException("upstream sent an invalid Content-Length: " + text);
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new UpstreamProtocolException("upstream sent an invalid Content-Length: " + text);
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
