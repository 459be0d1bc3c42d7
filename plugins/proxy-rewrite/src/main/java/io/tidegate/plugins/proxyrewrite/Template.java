package io.tidegate.plugins.proxyrewrite;

import io.tidegate.plugin.api.PluginContext;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A string with APISIX-style references, compiled once: {@code $name} or {@code ${name}} for a
 * variable, {@code $1}..{@code $9} for a capture of the matched {@code regex_uri}. A variable the
 * request lacks becomes empty, as in nginx. CR and LF are dropped from substituted values: a
 * request must not be able to inject a header line through a decoded query argument.
 */
final class Template {
    private static final Pattern REFERENCE = Pattern.compile("\\$(?:\\{([A-Za-z0-9_]+)}|([0-9])|([A-Za-z_][A-Za-z0-9_]*))");

    private final List<String> literals;
    private final List<String> references;

    private Template(List<String> literals, List<String> references) {
        this.literals = literals;
        this.references = references;
    }

    static Template compile(String text) {
        List<String> literals = new ArrayList<>();
        List<String> references = new ArrayList<>();
        Matcher m = REFERENCE.matcher(text);
        int last = 0;
        while (m.find()) {
            literals.add(text.substring(last, m.start()));
            references.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
            last = m.end();
        }
        literals.add(text.substring(last));
        return new Template(List.copyOf(literals), List.copyOf(references));
    }

    boolean isConstant() {
        return references.isEmpty();
    }

    /** @param captures the regex_uri match, or null when none matched */
    String render(PluginContext context, Matcher captures) {
        if (references.isEmpty()) {
            return literals.get(0);
        }
        StringBuilder out = new StringBuilder(literals.get(0));
        for (int i = 0; i < references.size(); i++) {
            String name = references.get(i);
            String value;
            if (Character.isDigit(name.charAt(0))) {
                int group = name.charAt(0) - '0';
                value = captures != null && group <= captures.groupCount() ? captures.group(group) : null;
            } else {
                value = context.var(name);
            }
            if (value != null) {
                appendSingleLine(out, value);
            }
            out.append(literals.get(i + 1));
        }
        return out.toString();
    }

    private static void appendSingleLine(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '\r' && c != '\n') {
                out.append(c);
            }
        }
    }
}
