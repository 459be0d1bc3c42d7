package io.tidegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.config.ConfigLoader;
import io.tidegate.source.KeyedResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Which stored resources still use an upstream, service or plugin config, so it is not deleted under them. */
final class References {
    private References() {}

    /** The field that refers to a resource of this type, or null when nothing refers to that type. */
    static String referringField(String type) {
        return switch (type) {
            case "upstreams" -> "upstream_id";
            case "services" -> "service_id";
            case "plugin_configs" -> "plugin_config_id";
            default -> null;
        };
    }

    /** {@code route [1]}, {@code service [s]}, ... for every stored value whose field names {@code id}. */
    static List<String> users(String type, String id, Map<String, String> values, KeyedResources keys) {
        String field = referringField(type);
        List<String> users = new ArrayList<>();
        if (field == null) {
            return users;
        }
        values.forEach((key, text) -> {
            KeyedResources.Place place = keys.place(key);
            if (place == null || !(place.type().equals("routes") || place.type().equals("services"))) {
                return;
            }
            try {
                JsonNode value = ConfigLoader.parseJson(text);
                if (id.equals(value.path(field).asText(null))) {
                    users.add(place.type().substring(0, place.type().length() - 1) + " [" + place.id() + "]");
                }
            } catch (Exception e) {
                // an unreadable value refers to nothing
            }
        });
        return users;
    }
}
