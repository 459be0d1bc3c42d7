package io.tidegate.http1;

import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Collects one response head from the bytes an upstream sends, at most {@code maxBytes} of them
 * and {@code maxFields} field lines (as nginx's {@code proxy_buffer_size} bounds it), then parses it
 * strictly (RFC 9112 section 4 and 5): a bad status line, a field line without a colon, a
 * whitespace-only field name, or CR, LF or NUL inside a value is a broken upstream. A line may end
 * in CRLF or a bare LF; obsolete line folding is replaced by a space; whitespace between a field
 * name and its colon is removed, as RFC 9112 asks of a proxy.
 */
public final class ResponseHeadReader {
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[4096]);
    private final int maxBytes;
    private final int maxFields;
    /**
     * Where the head is collected: the IO thread's scratch array while the head arrives within one
     * {@link #feed} (nearly always, and then nothing is allocated per response), else an array of
     * this reader's own, into which a head still incomplete when feed returns is copied.
     */
    private byte[] head;
    private byte[] own;
    private int length;
    /** Where the scan for the empty line goes on: after a LF, whether a CR followed it. */
    private boolean afterLf;
    private boolean afterLfCr;
    private boolean complete;
    private int skipped;
    /** Lines of the head so far, the status line included. */
    private int lines;

    public ResponseHeadReader(int maxBytes, int maxFields) {
        this.maxBytes = maxBytes;
        this.maxFields = maxFields;
    }

    /**
     * Takes bytes from {@code in} up to the end of the head. Returns true once the head is
     * complete; {@code in} is then positioned on the first byte after it (the body, or the next
     * response after an interim one). A completed head may sit in the thread's scratch array, so
     * {@link #parse} must follow on the same thread before any other reader is fed.
     */
    public boolean feed(ByteBuffer in) throws UpstreamProtocolException {
        if (length == 0) {
            head = SCRATCH.get();
        }
        try {
            return collect(in);
        } finally {
            if (!complete && head != own && length > 0) {
                // the scratch array is the next response's on this thread: keep what came of this head
                own = Arrays.copyOf(head, Math.min(maxBytes, Math.max(512, length * 2)));
                head = own;
            }
        }
    }

    private boolean collect(ByteBuffer in) throws UpstreamProtocolException {
        while (in.hasRemaining()) {
            byte b = in.get();
            append(b);
            if (b == '\n') {
                if (length == 1 || length == 2 && head[0] == '\r') {
                    // an empty line before the status line (some servers leave one after a body): skipped
                    skipped += length;
                    if (skipped > maxBytes) {
                        throw new UpstreamProtocolException("upstream sent " + skipped + " bytes of empty lines");
                    }
                    length = 0;
                    continue;
                }
                if (afterLf || afterLfCr) {
                    complete = true;
                    return true;
                }
                // counted as they arrive: an upstream dripping header lines must not hold the request until the byte cap
                if (++lines > maxFields + 1) {
                    throw new UpstreamProtocolException("upstream response head has more than " + maxFields + " fields");
                }
                afterLf = true;
                afterLfCr = false;
            } else if (b == '\r' && afterLf) {
                afterLf = false;
                afterLfCr = true;
            } else {
                afterLf = afterLfCr = false;
            }
        }
        return false;
    }

    /** The head size limit (also what a trailer section may take). */
    public int maxBytes() {
        return maxBytes;
    }

    /** How many bytes of the head have arrived: none means the upstream has not answered at all yet. */
    public int received() {
        return length;
    }

    private void append(byte b) throws UpstreamProtocolException {
        if (length >= maxBytes) {
            throw new UpstreamProtocolException("upstream response head is larger than " + maxBytes + " bytes");
        }
        if (length == head.length) {
            own = Arrays.copyOf(head, Math.min(maxBytes, head.length * 2));
            head = own;
        }
        head[length++] = b;
    }

    /** Parses the complete head, adding its fields to {@code fields}, and readies for the next head. */
    public ResponseHead parse(HeaderMap fields) throws UpstreamProtocolException {
        if (!complete) {
            throw new IllegalStateException("the head is not complete");
        }
        try {
            return parseLines(fields);
        } finally {
            length = 0;
            skipped = 0;
            lines = 0;
            complete = false;
            afterLf = afterLfCr = false;
        }
    }

    private ResponseHead parseLines(HeaderMap fields) throws UpstreamProtocolException {
        int end = lineEnd(0);
        ResponseHead start = statusLine(0, end);
        int count = 0;
        int pos = next(end);
        HttpString lastName = null;
        StringBuilder folded = null;
        while (true) {
            int lineEnd = lineEnd(pos);
            if (lineEnd == pos) {
                break; // the empty line
            }
            if (head[pos] == ' ' || head[pos] == '\t') {
                if (lastName == null) {
                    throw new UpstreamProtocolException("upstream response head starts a field with whitespace");
                }
                // obs-fold: the line continues the previous value, joined by one space
                if (folded == null) {
                    folded = new StringBuilder(fields.getLast(lastName));
                }
                folded.append(' ').append(value(pos, lineEnd));
                replaceLast(fields, lastName, folded.toString());
            } else {
                if (++count > maxFields) {
                    throw new UpstreamProtocolException("upstream response head has more than " + maxFields + " fields");
                }
                lastName = field(pos, lineEnd, fields);
                folded = null;
            }
            pos = next(lineEnd);
        }
        return start;
    }

    private static void replaceLast(HeaderMap fields, HttpString name, String value) {
        var values = fields.get(name);
        values.set(values.size() - 1, value);
    }

    /** Index of the LF (or the CR before it) that ends the line starting at {@code from}. */
    private int lineEnd(int from) {
        int i = from;
        while (head[i] != '\n') {
            i++;
        }
        return i > from && head[i - 1] == '\r' ? i - 1 : i;
    }

    private int next(int lineEnd) {
        return head[lineEnd] == '\r' ? lineEnd + 2 : lineEnd + 1;
    }

    private ResponseHead statusLine(int from, int end) throws UpstreamProtocolException {
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (end - from < 12 || !startsWith(from, "HTTP/1.") || head[from + 8] != ' ') {
            throw new UpstreamProtocolException("upstream sent an invalid status line: " + printable(from, end));
        }
        byte minor = head[from + 7];
        if (minor != '0' && minor != '1') {
            throw new UpstreamProtocolException("upstream speaks an unsupported HTTP version: " + printable(from, end));
        }
        int status = 0;
        for (int i = from + 9; i < from + 12; i++) {
            byte d = head[i];
            if (d < '0' || d > '9') {
                throw new UpstreamProtocolException("upstream sent an invalid status line: " + printable(from, end));
            }
            status = status * 10 + (d - '0');
        }
        if (status < 100 || status > 599 || end > from + 12 && head[from + 12] != ' ') {
            throw new UpstreamProtocolException("upstream sent an invalid status line: " + printable(from, end));
        }
        String reason = end > from + 13 ? value(from + 13, end) : "";
        return new ResponseHead(status, reason, minor == '1');
    }

    private HttpString field(int from, int end, HeaderMap fields) throws UpstreamProtocolException {
        int colon = from;
        while (colon < end && head[colon] != ':') {
            colon++;
        }
        if (colon == end) {
            throw new UpstreamProtocolException("upstream sent a field line without a colon: " + printable(from, end));
        }
        int nameEnd = colon;
        while (nameEnd > from && (head[nameEnd - 1] == ' ' || head[nameEnd - 1] == '\t')) {
            nameEnd--;
        }
        if (nameEnd == from) {
            throw new UpstreamProtocolException("upstream sent a field without a name");
        }
        for (int i = from; i < nameEnd; i++) {
            if (!HttpSyntax.isTokenByte(head[i])) {
                throw new UpstreamProtocolException("upstream sent an invalid field name: " + printable(from, nameEnd));
            }
        }
        HttpString name = HttpString.tryFromString(new String(head, from, nameEnd - from, StandardCharsets.ISO_8859_1));
        fields.add(name, value(colon + 1, end));
        return name;
    }

    /** The value between {@code from} and {@code end}, without surrounding whitespace; CR, LF and NUL refused. */
    private String value(int from, int end) throws UpstreamProtocolException {
        int start = from;
        int stop = end;
        while (start < stop && (head[start] == ' ' || head[start] == '\t')) {
            start++;
        }
        while (stop > start && (head[stop - 1] == ' ' || head[stop - 1] == '\t')) {
            stop--;
        }
        for (int i = start; i < stop; i++) {
            if (!HttpSyntax.isFieldValueChar(head[i] & 0xff)) {
                throw new UpstreamProtocolException("upstream sent a control character in a field value");
            }
        }
        return new String(head, start, stop - start, StandardCharsets.ISO_8859_1);
    }

    private boolean startsWith(int from, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (head[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String printable(int from, int end) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i < Math.min(end, from + 80); i++) {
            int c = head[i] & 0xff;
            out.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return out.toString();
    }
}
