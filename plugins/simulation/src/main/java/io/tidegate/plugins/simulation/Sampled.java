package io.tidegate.plugins.simulation;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.Template;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * When a fault-injection action applies, as APISIX decides it: its {@code vars} (a list of
 * condition lists, any of which holding is enough; none configured: always) and its
 * {@code percentage} of requests (none configured: all).
 */
final class Sampled {
    private final List<Predicate<PluginContext>> anyOf;
    private final Integer percentage;

    private Sampled(List<Predicate<PluginContext>> anyOf, Integer percentage) {
        this.anyOf = anyOf;
        this.percentage = percentage;
    }

    static Sampled of(String field, JsonNode vars, Integer percentage, PluginServices services) throws PluginConfigException {
        List<Predicate<PluginContext>> lists = new ArrayList<>();
        if (vars != null) {
            for (int i = 0; i < vars.size(); i++) {
                lists.add(services.conditions(field + ".vars[" + i + "]", vars.get(i)));
            }
        }
        return new Sampled(List.copyOf(lists), percentage);
    }

    /** Whether the vars hold for this request (APISIX evaluates them before sampling). */
    boolean varsHold(PluginContext context) {
        if (anyOf.isEmpty()) {
            return true;
        }
        for (Predicate<PluginContext> list : anyOf) {
            if (list.test(context)) {
                return true;
            }
        }
        return false;
    }

    boolean sampled() {
        return percentage == null || ThreadLocalRandom.current().nextInt(1, 101) <= percentage;
    }

    /** Header values: text with $variables, numbers as written. */
    static Map<String, Template> headerTemplates(String field, Map<String, Object> headers, PluginServices services)
            throws PluginConfigException {
        Map<String, Template> templates = new LinkedHashMap<>();
        if (headers != null) {
            for (Map.Entry<String, Object> header : headers.entrySet()) {
                Object value = header.getValue();
                String text = value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && !(value instanceof Double)
                        ? Long.toString(n.longValue()) : String.valueOf(value);
                templates.put(header.getKey(), services.template(field + "." + header.getKey(), text));
            }
        }
        return templates;
    }
}
