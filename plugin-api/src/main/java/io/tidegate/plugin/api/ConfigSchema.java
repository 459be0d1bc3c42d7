package io.tidegate.plugin.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A plugin's configuration as it declares it: a JSON Schema (draft 7, the dialect APISIX's plugin
 * schemas are written in) and the Java type the gateway binds a valid configuration to.
 *
 * <p>The gateway validates each configuration against the schema, reports every violation at its
 * path ({@code routes[2].plugins.limit-count.count: must be an integer > 0}), fills in the
 * schema's {@code default}s and binds the result to {@code type} with Jackson: a record's
 * components map to snake_case fields ({@code hideCredentials} reads {@code hide_credentials});
 * {@code @JsonProperty} names another. A field the schema does not declare is refused as
 * {@code unknown field} unless the schema sets {@code additionalProperties}, so a typo never passes
 * silently. The schema is also what {@code GET /apisix/admin/schema/plugins/{name}} serves.
 *
 * @param type the record (or class) a valid configuration is bound to; {@link NoConfig} for none
 * @param json the schema, a JSON object
 */
public record ConfigSchema<C>(Class<C> type, String json) {
    private static final ConfigSchema<NoConfig> NONE = new ConfigSchema<>(NoConfig.class,
            "{\"type\": \"object\", \"properties\": {}}");

    public ConfigSchema {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(json, "json");
    }

    /** The schema given as text, typically a text block. */
    public static <C> ConfigSchema<C> of(Class<C> type, String json) {
        return new ConfigSchema<>(type, json);
    }

    /**
     * The schema in a resource of the plugin's jar, found through {@code type}'s class loader
     * ({@code "/schema/limit-count.json"}).
     */
    public static <C> ConfigSchema<C> resource(Class<C> type, String path) {
        try (InputStream in = type.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no schema resource " + path + " next to " + type.getName());
            }
            return new ConfigSchema<>(type, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A plugin without settings: only an empty object is valid. */
    public static ConfigSchema<NoConfig> none() {
        return NONE;
    }
}
