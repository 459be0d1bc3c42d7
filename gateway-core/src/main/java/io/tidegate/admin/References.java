package io.tidegate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.config.ConfigLoader;
import io.tidegate.source.KeyedResources;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which resources refer to which: an upstream, service, plugin config or proto (a grpc-transcode
 * {@code proto_id}) is not deleted under its users.
 */
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

    /** The types whose resources may refer to a resource of this type (empty when none may). */
    static List<String> referringTypes(String type) {
        return switch (type) {
            case "upstreams" -> List.of("routes", "services");
            case "services", "plugin_configs" -> List.of("routes");
            case "protos" -> List.of("routes", "services");  // through grpc-transcode's proto_id
            default -> List.of();
        };
    }

    /** The keys a value of this type refers to through its {@code upstream_id}, {@code service_id}, {@code plugin_config_id}. */
    static List<String> referredKeys(String type, JsonNode value, KeyedResources keys) {
        List<String> referred = new ArrayList<>();
        for (String target : List.of("upstreams", "services", "plugin_configs")) {
            String id = referringTypes(target).contains(type) ? idText(value.get(referringField(target))) : null;
            if (id != null) {
                referred.add(keys.key(target, id));
            }
        }
        return referred;
    }

    /** An id as configuration may give it (a string or an integer); null for anything else. */
    private static String idText(JsonNode id) {
        if (id != null && id.isTextual() && !id.textValue().isEmpty()) {
            return id.textValue();
        }
        return id != null && id.isIntegralNumber() ? id.asText() : null;
    }

    /** {@code route [1]}, {@code service [s]}, ... for every stored value whose field names {@code id}. */
    static List<String> users(String type, String id, Map<String, String> values, KeyedResources keys) {
        String field = referringField(type);
        List<String> referring = referringTypes(type);
        List<String> users = new ArrayList<>();
        values.forEach((key, text) -> {
            KeyedResources.Place place = keys.place(key);
            if (place == null || !referring.contains(place.type())) {
                return;
            }
            try {
                JsonNode value = ConfigLoader.parseJson(text);
                JsonNode reference = type.equals("protos") ? value.path("plugins").path("grpc-transcode").path("proto_id")
                        : value.path(field);
                if (id.equals(reference.asText(null))) {
                    users.add(place.type().substring(0, place.type().length() - 1) + " [" + place.id() + "]");
                }
            } catch (Exception e) {
                // an unreadable value refers to nothing
            }
        });
        return users;
    }
}
