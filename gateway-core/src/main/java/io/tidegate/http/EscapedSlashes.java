package io.tidegate.http;

import io.tidegate.config.RequestLimits;

/**
 * What an encoded slash ({@code %2F}) or backslash ({@code %5C}) in a path means. Routes match the
 * normalised path; an upstream that decodes them (nginx does) would act on a different path than
 * the one routed, so {@code /public/..%2fadmin} could reach an admin page through a public route.
 * Decoding them before normalising (the default, as nginx's own {@code $uri}) or refusing them
 * makes the routed path and the forwarded path the same. A backslash is a separator to some
 * servers, so it is treated as one too.
 */
public final class EscapedSlashes {
    private EscapedSlashes() {}

    /** Whether the raw path holds {@code %2F} or {@code %5C} in either case. */
    public static boolean present(String raw) {
        for (int i = raw.indexOf('%'); i >= 0 && i + 2 < raw.length(); i = raw.indexOf('%', i + 1)) {
            char a = raw.charAt(i + 1);
            char b = (char) (raw.charAt(i + 2) | 0x20);
            if (a == '2' && b == 'f' || a == '5' && b == 'c') {
                return true;
            }
        }
        return false;
    }

    /** The raw path with each {@code %2F} and {@code %5C} turned into {@code /}. */
    public static String decode(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%' && i + 2 < raw.length()) {
                char a = raw.charAt(i + 1);
                char b = (char) (raw.charAt(i + 2) | 0x20);
                if (a == '2' && b == 'f' || a == '5' && b == 'c') {
                    out.append('/');
                    i += 2;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /** The path to route and forward under {@code mode}, or null when it must be refused. */
    public static String apply(String raw, RequestLimits.EscapedSlashes mode) {
        if (mode == RequestLimits.EscapedSlashes.KEEP || !present(raw)) {
            return raw;
        }
        return mode == RequestLimits.EscapedSlashes.REJECT ? null : decode(raw);
    }
}
