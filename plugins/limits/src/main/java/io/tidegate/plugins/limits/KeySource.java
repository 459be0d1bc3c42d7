package io.tidegate.plugins.limits;

import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.Template;

/** Where a request's counter key comes from: a variable, a combination of variables, or a constant. */
@FunctionalInterface
interface KeySource {
    String raw(PluginContext context);

    /** An empty key counts against the client address, as APISIX does. */
    default String of(PluginContext context) {
        String key = raw(context);
        return key == null || key.isEmpty() ? context.var("remote_addr") : key;
    }

    /** {@code key_type} and {@code key} (both validated by the schema). */
    static KeySource of(String type, String key, PluginServices services) throws PluginConfigException {
        return switch (type) {
            case "constant" -> context -> key;
            case "var_combination" -> combination(services.template("key", key));
            default -> {
                String name = key.startsWith("$") ? key.substring(1) : key;
                yield context -> context.var(name);
            }
        };
    }

    /**
     * {@code "$remote_addr $http_x_user"}: variables substituted, a missing one counted as empty;
     * when none of them is set the key is missing (APISIX's {@code n_resolved == 0}).
     */
    private static KeySource combination(Template template) {
        return context -> {
            boolean[] resolved = {false};
            String key = template.render(name -> {
                String value = context.var(name);
                if (value != null) {
                    resolved[0] = true;
                }
                return value;
            });
            return resolved[0] ? key : null;
        };
    }
}
