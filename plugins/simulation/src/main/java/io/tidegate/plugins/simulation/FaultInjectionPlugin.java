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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.pf4j.Extension;

/**
 * APISIX's {@code fault-injection} (priority 11000, rewrite phase): {@code delay} waits
 * {@code duration} seconds (without holding a thread), then {@code abort} answers
 * {@code http_status} with {@code body} and {@code headers} ($variables in both), each for its
 * {@code percentage} of the requests its {@code vars} select.
 */
@Extension
public final class FaultInjectionPlugin implements GatewayPlugin<FaultInjectionPlugin.Settings> {
    public record Abort(int httpStatus, String body, Map<String, Object> headers, Integer percentage, JsonNode vars) {}

    public record Delay(double duration, Integer percentage, JsonNode vars) {}

    public record Settings(Abort abort, Delay delay) {}

    @Override
    public String name() {
        return "fault-injection";
    }

    @Override
    public int priority() {
        return 11000;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/fault-injection.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        Sampled abortWhen = config.abort() == null ? null : Sampled.of("abort", config.abort().vars(), config.abort().percentage(), services);
        Sampled delayWhen = config.delay() == null ? null : Sampled.of("delay", config.delay().vars(), config.delay().percentage(), services);
        Template body = config.abort() == null || config.abort().body() == null ? null : services.template("abort.body", config.abort().body());
        Map<String, Template> headers = config.abort() == null ? Map.of() : Sampled.headerTemplates("abort.headers", config.abort().headers(), services);
        long delayMillis = config.delay() == null ? 0 : Math.round(config.delay().duration() * 1000);
        return new PluginInstance() {
            @Override
            public PhaseResult rewrite(PluginContext context) {
                // APISIX evaluates both conditions first, then delays, then aborts
                boolean abort = abortWhen != null && abortWhen.varsHold(context);
                boolean delay = delayWhen != null && delayWhen.varsHold(context) && delayWhen.sampled();
                PhaseResult answer = abort && abortWhen.sampled() ? abortAnswer(context) : PhaseResult.proceed();
                if (!delay || delayMillis == 0) {
                    return answer;
                }
                if (answer.proceeds()) {
                    return PhaseResult.after(Duration.ofMillis(delayMillis));
                }
                return PhaseResult.later(CompletableFuture.supplyAsync(() -> answer,
                        CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS)));
            }

            private PhaseResult abortAnswer(PluginContext context) {
                Map<String, List<String>> values = new LinkedHashMap<>();
                headers.forEach((name, value) -> values.put(name, List.of(value.render(context))));
                byte[] bytes = body == null ? new byte[0] : body.render(context).getBytes(StandardCharsets.UTF_8);
                return PhaseResult.respondWithHeaders(config.abort().httpStatus(), values, bytes);
            }
        };
    }
}
