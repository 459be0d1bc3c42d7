package io.tidegate.plugins.browser;

import io.tidegate.plugin.api.PluginConfigException;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which value an origin header gets, for cors's {@code allow_origins} (or its regexes) and
 * {@code timing_allow_origins}: {@code *} as is, {@code **} the request's origin (or {@code *}
 * without one), a list the request's origin when listed, a single entry that entry, regexes the
 * request's origin when one matches in it; sent only when it {@link #grants} the request's origin.
 */
final class AllowedOrigins {
    private final String configured;
    private final Set<String> listed;
    private final Pattern regex;

    private AllowedOrigins(String configured, Set<String> listed, Pattern regex) {
        this.configured = configured;
        this.listed = listed;
        this.regex = regex;
    }

    /** Regexes win over {@code origins} when given, as in APISIX. Null when both are null. */
    static AllowedOrigins of(String origins, List<String> regexes, String regexField) throws PluginConfigException {
        if (regexes != null) {
            StringBuilder alternatives = new StringBuilder();
            for (int i = 0; i < regexes.size(); i++) {
                try {
                    Pattern.compile(regexes.get(i));
                } catch (PatternSyntaxException e) {
                    throw new PluginConfigException(regexField + "[" + i + "]", "invalid regex: " + e.getDescription());
                }
                alternatives.append(i == 0 ? "" : "|").append('(').append(regexes.get(i)).append(')');
            }
            return new AllowedOrigins(null, null, Pattern.compile(alternatives.toString()));
        }
        if (origins == null) {
            return null;
        }
        Set<String> listed = origins.contains(",") ? Set.of(origins.split(",")) : null;
        return new AllowedOrigins(origins, listed, null);
    }

    /** Whether a value grants the request's origin: {@code *}, or the origin itself (APISIX's match_origins). */
    static boolean grants(String value, String origin) {
        return value != null && (value.equals("*") || value.equals(origin));
    }

    /** The value for a request with this {@code Origin} (null when it sent none); null: none. */
    String valueFor(String origin) {
        if (regex != null) {
            return origin != null && regex.matcher(origin).find() ? origin : null;
        }
        if (configured.equals("**")) {
            return origin == null ? "*" : origin;
        }
        if (listed != null) {
            return origin != null && listed.contains(origin) ? origin : null;
        }
        return configured;
    }
}
