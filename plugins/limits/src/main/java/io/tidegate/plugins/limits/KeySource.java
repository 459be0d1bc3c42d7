package io.tidegate.plugins.limits;

import io.tidegate.plugin.api.PluginContext;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where a request's counter key comes from: a variable, a combination of variables, or a constant. */
@FunctionalInterface
interface KeySource {
    String raw(PluginContext context);

    /** An empty key counts against the client address, as APISIX does. */
    default String of(PluginContext context) {
        String key = raw(context);
        return key == null || key.isEmpty() ? context.var("remote_addr") : key;
    }

    static KeySource of(String type, String key) {
        return switch (type) {
            case "constant" -> context -> key;
            case "var_combination" -> combination(key);
            default -> {
                String name = key.startsWith("$") ? key.substring(1) : key;
                yield context -> context.var(name);
            }
        };
    }

    /** {@code "$remote_addr $http_x_user"}: variables substituted, a missing one counted as empty. */
    private static KeySource combination(String template) {
        Matcher m = Pattern.compile("\\$([A-Za-z0-9_]+)").matcher(template);
        List<String> literals = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int last = 0;
        while (m.find()) {
            literals.add(template.substring(last, m.start()));
            names.add(m.group(1));
            last = m.end();
        }
        String tail = template.substring(last);
        return context -> {
            StringBuilder out = new StringBuilder();
            boolean any = false;
            for (int i = 0; i < names.size(); i++) {
                out.append(literals.get(i));
                String value = context.var(names.get(i));
                if (value != null) {
                    out.append(value);
                    any = true;
                }
            }
            return any ? out.append(tail).toString() : null;
        };
    }
}
