package io.tidegate.http;

/**
 * The rule for paths with dot segments or empty segments, applied before routing so that
 * {@code /public/../admin} cannot reach a route on {@code /admin*} through one on {@code /public/*}:
 * {@code %2e} counts as a dot, {@code .} segments are dropped, {@code ..} removes the segment before
 * it, and runs of slashes become one. A {@code ..} above the root makes the path invalid.
 * {@code %2F} is not a separator: it stays encoded, part of its segment. Everything else keeps its
 * original encoding, and the upstream receives the normalised path.
 */
public final class PathNormaliser {
    private PathNormaliser() {}

    /** Whether the raw path needs {@link #normalise} at all (the common case does not). */
    public static boolean needsWork(String raw) {
        // one pass over the path of every request: a '/' followed by '/' or '.', or a "%2e" anywhere
        int last = raw.length() - 1;
        for (int i = 0; i < last; i++) {
            char c = raw.charAt(i);
            char next = raw.charAt(i + 1);
            if (c == '/' && (next == '/' || next == '.')
                    || c == '%' && next == '2' && i + 2 <= last && (raw.charAt(i + 2) | 0x20) == 'e') {
                return true;
            }
        }
        return false;
    }

    /** The normalised raw path, or null when it climbs above the root. */
    public static String normalise(String raw) {
        String[] segments = raw.split("/", -1);
        String[] kept = new String[segments.length];
        int depth = 0;
        boolean trailingSlash = false;
        for (int i = 1; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.isEmpty()) {
                trailingSlash = last;
                continue;
            }
            String dots = segment.replace("%2e", ".").replace("%2E", ".");
            if (dots.equals(".")) {
                trailingSlash = last;
            } else if (dots.equals("..")) {
                if (depth == 0) {
                    return null;
                }
                depth--;
                trailingSlash = last;
            } else {
                kept[depth++] = segment;
                trailingSlash = false;
            }
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (int i = 0; i < depth; i++) {
            out.append('/').append(kept[i]);
        }
        if (depth == 0 || trailingSlash) {
            out.append('/');
        }
        return out.toString();
    }
}
