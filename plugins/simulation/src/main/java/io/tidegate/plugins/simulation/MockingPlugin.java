package io.tidegate.plugins.simulation;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.Template;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.pf4j.Extension;

/**
 * APISIX's {@code mocking} (priority 10900, access phase): answers {@code response_status} with
 * {@code response_example} ($variables resolved), or with an example made from
 * {@code response_schema} (JSON, or XML under a {@code data} element for an XML content type),
 * {@code content_type}, {@code response_headers} and {@code x-mock-by}, after {@code delay}
 * seconds (without holding a thread). The upstream is never called.
 */
@Extension
public final class MockingPlugin implements GatewayPlugin<MockingPlugin.Settings> {
    public record Settings(int delay, int responseStatus, String contentType, String responseExample, JsonNode responseSchema,
                           boolean withMockHeader, Map<String, Object> responseHeaders) {}

    private static final Set<String> CONTENT_TYPES = Set.of("application/xml", "application/json", "text/plain", "text/html", "text/xml");
    /** APISIX sends {@code APISIX/<version>}; Tidegate names itself. */
    static final String MOCKED_BY = "Tidegate";

    @Override
    public String name() {
        return "mocking";
    }

    @Override
    public int priority() {
        return 10900;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/mocking.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        String mediaType = mediaType(config.contentType());
        if (!CONTENT_TYPES.contains(mediaType)) {
            throw new PluginConfigException("content_type", "unsupported content type!");
        }
        Template example = config.responseExample() == null ? null : services.template("response_example", config.responseExample());
        boolean xml = mediaType.equals("application/xml") || mediaType.equals("text/xml");
        Map<String, Template> headers = Sampled.headerTemplates("response_headers", config.responseHeaders(), services);
        return new PluginInstance() {
            @Override
            public PhaseResult access(PluginContext context) {
                String body = example != null ? example.render(context)
                        : xml ? ExampleBodies.xml(config.responseSchema()) : ExampleBodies.json(config.responseSchema());
                Map<String, List<String>> values = new LinkedHashMap<>();
                values.put("Content-Type", List.of(config.contentType()));
                if (config.withMockHeader()) {
                    values.put("x-mock-by", List.of(MOCKED_BY));
                }
                headers.forEach((name, value) -> values.put(name, List.of(value.render(context))));
                PhaseResult answer = PhaseResult.respondWithHeaders(config.responseStatus(), values, body.getBytes(StandardCharsets.UTF_8));
                if (config.delay() <= 0) {
                    return answer;
                }
                return PhaseResult.later(CompletableFuture.supplyAsync(() -> answer,
                        CompletableFuture.delayedExecutor(config.delay(), TimeUnit.SECONDS)));
            }
        };
    }

    /** The media type of a Content-Type, without parameters ({@code application/json;charset=utf8}). */
    static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    }
}
