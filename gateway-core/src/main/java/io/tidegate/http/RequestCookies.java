package io.tidegate.http;

import java.util.List;

/**
 * nginx's {@code $cookie_NAME}: the raw value of the first cookie of that name in the request's
 * {@code Cookie} headers, everything between {@code NAME=} and the next {@code ;}. Unlike
 * Undertow's parser it keeps {@code =} inside values (base64 padding in a token, say) and never
 * unquotes or decodes.
 */
final class RequestCookies {
    private RequestCookies() {}

    static String value(List<String> cookieHeaders, String name) {
        if (cookieHeaders == null) {
            return null;
        }
        for (String header : cookieHeaders) {
            int start = 0;
            while (start < header.length()) {
                int end = header.indexOf(';', start);
                if (end < 0) {
                    end = header.length();
                }
                int eq = header.indexOf('=', start);
                if (eq > 0 && eq < end && header.substring(start, eq).strip().equals(name)) {
                    return header.substring(eq + 1, end).strip();
                }
                start = end + 1;
            }
        }
        return null;
    }
}
