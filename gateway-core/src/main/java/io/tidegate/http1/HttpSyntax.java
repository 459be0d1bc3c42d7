package io.tidegate.http1;

/**
 * The character rules of HTTP/1.1 (RFC 9110 section 5, RFC 9112 section 3): what may appear in a
 * method or field name (a token), in a field value, and in a request target. Everything the
 * gateway writes towards an upstream passes these checks, so no byte a client or plugin supplied
 * can end a line early and start a header or a request of its own.
 */
public final class HttpSyntax {
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private HttpSyntax() {}

    /** {@code 1*tchar}: a method or a field name. */
    public static boolean isToken(CharSequence s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !TOKEN[c]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the byte may appear in a token. */
    public static boolean isTokenByte(int b) {
        return b >= 0 && b < 128 && TOKEN[b];
    }

    /**
     * A field value: visible characters, spaces, tabs and obs-text (bytes 0x80-0xFF, carried as
     * ISO-8859-1 chars). Never CR, LF, NUL or another control character.
     */
    public static boolean isFieldValue(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (!isFieldValueChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isFieldValueChar(int c) {
        return c == '\t' || c >= 0x20 && c != 0x7f && c <= 0xff;
    }

    /**
     * A request target as it may be written on a request line: printable ASCII without spaces
     * (anything else must be percent-encoded) and without a fragment.
     */
    public static boolean isRequestTarget(CharSequence s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                return false;
            }
        }
        return true;
    }
}
