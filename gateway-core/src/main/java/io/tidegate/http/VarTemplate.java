package io.tidegate.http;

import io.tidegate.plugin.api.Template;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;

/**
 * The gateway's one implementation of {@code $variable} templates (see {@link Template} for the
 * rules), used by the core (upstream hash keys) and handed to plugins. Compiled once; rendering
 * walks the pieces without a regular expression.
 */
public final class VarTemplate implements Template {
    private final String[] literals;
    private final String[] references;
    private final List<String> variables;

    private VarTemplate(List<String> literals, List<String> references) {
        this.literals = literals.toArray(String[]::new);
        this.references = references.toArray(String[]::new);
        this.variables = List.copyOf(new LinkedHashSet<>(references));
    }

    public static VarTemplate compile(String text) {
        List<String> literals = new ArrayList<>();
        List<String> references = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            int end = c == '$' ? referenceEnd(text, i) : -1;
            if (end < 0) {
                literal.append(c);
                i++;
                continue;
            }
            boolean braced = text.charAt(i + 1) == '{';
            references.add(braced ? text.substring(i + 2, end - 1) : text.substring(i + 1, end));
            literals.add(literal.toString());
            literal.setLength(0);
            i = end;
        }
        literals.add(literal.toString());
        return new VarTemplate(literals, references);
    }

    /** Where the reference starting at {@code dollar} ends (exclusive), or -1 when none starts there. */
    private static int referenceEnd(String text, int dollar) {
        int at = dollar + 1;
        if (at >= text.length()) {
            return -1;
        }
        char first = text.charAt(at);
        if (first >= '0' && first <= '9') {
            return at + 1;
        }
        if (first == '{') {
            int close = text.indexOf('}', at);
            return close > at + 1 && (isName(text, at + 1, close) || isDigits(text, at + 1, close)) ? close + 1 : -1;
        }
        int end = at;
        while (end < text.length() && isNameChar(text.charAt(end), end == at)) {
            end++;
        }
        return end > at ? end : -1;
    }

    private static boolean isName(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isNameChar(text.charAt(i), i == from)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigits(String text, int from, int to) {
        for (int i = from; i < to; i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isNameChar(char c, boolean first) {
        return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || !first && c >= '0' && c <= '9';
    }

    @Override
    public String render(Function<String, String> values) {
        if (references.length == 0) {
            return literals[0];
        }
        StringBuilder out = new StringBuilder(literals[0]);
        for (int i = 0; i < references.length; i++) {
            String value = values.apply(references[i]);
            if (value != null) {
                appendSingleLine(out, value);
            }
            out.append(literals[i + 1]);
        }
        return out.toString();
    }

    @Override
    public List<String> variables() {
        return variables;
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
