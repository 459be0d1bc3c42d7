package io.tidegate.config;

import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * APISIX's {@code ${{VAR}}} and {@code ${{VAR:=default}}} placeholders, replaced from the
 * environment before the YAML is parsed. A variable that is unset and has no default is an error.
 */
final class EnvSubstitution {
    private static final Pattern PLACEHOLDER =
            Pattern.compile("\\$\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(?::=\\s*(.*?)\\s*)?}}");

    private EnvSubstitution() {}

    static String apply(String text, Function<String, String> env, String source, Problems problems) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String value = env.apply(m.group(1));
            if (value == null) {
                value = m.group(2);
            }
            if (value == null) {
                problems.add(source, "line " + lineOf(text, m.start()) + ": environment variable " + m.group(1)
                        + " is not set and ${{" + m.group(1) + "}} has no default");
                value = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
