package io.tidegate.plugins.loggers;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A syslog message as APISIX's {@code rfc5424} module frames it:
 * {@code <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID - - MSG\n}, with PRI = facility * 8 + severity
 * (syslog's SYSLOG facility 5 and INFO severity 6: 46), the timestamp in UTC with milliseconds,
 * no message id nor structured data, and a line feed ending it (RFC 6587's non-transparent
 * framing over TCP).
 */
final class Rfc5424 {
    static final int FACILITY_SYSLOG = 5;
    static final int SEVERITY_INFO = 6;
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Rfc5424() {}

    /** The framed message; {@code hostname} and {@code appName} are made valid header fields ("-" when empty). */
    static byte[] encode(int facility, int severity, Instant time, String hostname, String appName, long procId, byte[] message) {
        String header = "<" + (facility * 8 + severity) + ">1 " + TIMESTAMP.format(time) + " " + field(hostname, 255) + " "
                + field(appName, 48) + " " + procId + " - - ";
        byte[] head = header.getBytes(StandardCharsets.US_ASCII);
        byte[] framed = new byte[head.length + message.length + 1];
        System.arraycopy(head, 0, framed, 0, head.length);
        System.arraycopy(message, 0, framed, head.length, message.length);
        framed[framed.length - 1] = '\n';
        return framed;
    }

    /** RFC 5424's header fields are printable US-ASCII without spaces, of bounded length; NILVALUE when empty. */
    static String field(String value, int maxLength) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), maxLength));
        for (int i = 0; i < value.length() && out.length() < maxLength; i++) {
            char c = value.charAt(i);
            out.append(c > 32 && c < 127 ? c : '_');
        }
        return out.toString();
    }
}
