package io.tidegate.config;

/**
 * One configuration error: where ({@code routes[2].upstream.nodes}, empty for the whole document)
 * and what ({@code must not be empty}), kept apart so that the path can be followed back to the
 * resource it names without reading the message.
 */
public record Problem(String path, String message) {
    /** Control characters (a CR or LF from a configured value, say) are escaped: a problem is one line. */
    public Problem {
        path = oneLine(path);
        message = oneLine(message);
    }

    /** {@code text} with control characters written as {@code \\uXXXX}, so it stays one line; null stays null. */
    public static String oneLine(String text) {
        if (text == null || text.chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8);
        text.chars().forEach(c -> out.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return out.toString();
    }

    /** The line an operator reads: {@code routes[2].upstream.nodes: must not be empty}. */
    public String text() {
        return path.isEmpty() ? message : path + ": " + message;
    }

    /**
     * The item of resource list {@code list} this problem is about, or -1: {@code routes[3].uri} is
     * about item 3 of {@code routes}.
     */
    public int itemOf(String list) {
        String start = list + "[";
        if (!path.startsWith(start)) {
            return -1;
        }
        int close = path.indexOf(']', start.length());
        if (close < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(path, start.length(), close, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** This problem with its path made relative to item {@code index} of {@code list}. */
    public Problem relativeTo(String list, int index) {
        String prefix = list + "[" + index + "]";
        String rest = path.substring(prefix.length());
        return new Problem(rest.startsWith(".") ? rest.substring(1) : rest, message);
    }
}
