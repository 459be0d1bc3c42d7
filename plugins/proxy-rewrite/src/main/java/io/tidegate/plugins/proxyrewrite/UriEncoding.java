package io.tidegate.plugins.proxyrewrite;

import java.nio.charset.StandardCharsets;

/**
 * APISIX's {@code uri_safe_encode}: percent-encodes the bytes a request target may not carry
 * (spaces, controls, non-ASCII, {@code "<>\^`{|}}) and leaves everything else, including existing
 * {@code %XX} escapes and the delimiters {@code / ? = & : @ ; , + $ ! * ' ( )}, as written.
 */
final class UriEncoding {
    private static final boolean[] KEEP = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            KEEP[c] = true;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            KEEP[c] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            KEEP[c] = true;
        }
        for (char c : "-._~!$&'()*+,;=:@/?%".toCharArray()) {
            KEEP[c] = true;
        }
    }

    private UriEncoding() {}

    static String safe(String uri) {
        byte[] bytes = uri.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = null;
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (b < 128 && KEEP[b]) {
                if (out != null) {
                    out.append((char) b);
                }
            } else {
                if (out == null) {
                    out = new StringBuilder(bytes.length + 16).append(new String(bytes, 0, i, StandardCharsets.UTF_8));
                }
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out == null ? uri : out.toString();
    }
}
