package io.tidegate.proxy;

import java.nio.charset.StandardCharsets;

/**
 * A header value a plugin sets, made safe to write: Undertow writes each char as one byte, so a
 * char above 0xFF would be cut to its low byte (U+010D becomes CR) and a control character would
 * split the header. Values are sent as their UTF-8 bytes, with CR, LF, NUL and the other controls
 * but tab dropped. Plain ASCII values, the usual case, pass without a copy.
 */
final class SafeHeaderValue {
    private SafeHeaderValue() {}

    static String of(String value) {
        if (value == null) {
            return null;
        }
        int i = 0;
        while (i < value.length()) {
            char c = value.charAt(i);
            if (c < 0x20 && c != '\t' || c >= 0x7f) {
                break;
            }
            i++;
        }
        if (i == value.length()) {
            return value;
        }
        String bytes = new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        StringBuilder out = new StringBuilder(bytes.length());
        for (int j = 0; j < bytes.length(); j++) {
            char c = bytes.charAt(j);
            if ((c >= 0x20 || c == '\t') && c != 0x7f) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
