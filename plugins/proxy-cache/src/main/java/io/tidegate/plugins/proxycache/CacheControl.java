package io.tidegate.plugins.proxycache;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** The directives of a {@code Cache-Control} header (RFC 9111): names in lower case, values unquoted. */
final class CacheControl {
    static final CacheControl NONE = new CacheControl(Map.of());

    private final Map<String, String> directives;

    private CacheControl(Map<String, String> directives) {
        this.directives = directives;
    }

    static CacheControl parse(String header) {
        if (header == null || header.isBlank()) {
            return NONE;
        }
        Map<String, String> directives = new HashMap<>();
        for (String part : header.split(",")) {
            String directive = part.trim();
            if (directive.isEmpty()) {
                continue;
            }
            int eq = directive.indexOf('=');
            String name = (eq < 0 ? directive : directive.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : directive.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            directives.putIfAbsent(name, value);
        }
        return new CacheControl(directives);
    }

    boolean has(String directive) {
        return directives.containsKey(directive);
    }

    /** A directive's number of seconds, or null when absent or not a number. */
    Long seconds(String directive) {
        String value = directives.get(directive);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * How long a response may be kept according to its upstream: {@code s-maxage}, else
     * {@code max-age}, else {@code Expires} less now; null when it says nothing. Never negative.
     */
    Long lifetimeMillis(String expires, long nowMillis) {
        Long seconds = seconds("s-maxage");
        if (seconds == null) {
            seconds = seconds("max-age");
        }
        if (seconds != null) {
            return Math.max(0, seconds) * 1000;
        }
        if (expires == null) {
            return null;
        }
        try {
            long at = ZonedDateTime.parse(expires.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
            return Math.max(0, at - nowMillis);
        } catch (DateTimeParseException e) {
            return 0L;  // an invalid Expires means already expired (RFC 9111 5.3)
        }
    }
}
