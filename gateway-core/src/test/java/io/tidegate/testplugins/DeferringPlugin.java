package io.tidegate.testplugins;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * "deferring" (priority 1500): decides its access phase late. {@code mode}: after (a delay),
 * later (completed by another thread), fail (completed exceptionally), reject (completes with 429).
 */
public final class DeferringPlugin implements GatewayPlugin<DeferringPlugin.Settings> {
    /** How to decide, and after how long. */
    public record Settings(String mode, long millis) {}

    @Override public String name() { return "deferring"; }
    @Override public int priority() { return 1500; }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.of(Settings.class, """
                {"type": "object", "properties": {
                  "mode": {"enum": ["after", "later", "fail", "reject"], "default": "after"},
                  "millis": {"type": "integer", "minimum": 0, "default": 300}}}""");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) {
        String mode = config.mode();
        long millis = config.millis();
        return new PluginInstance() {
            @Override
            public PhaseResult access(PluginContext context) {
                var elsewhere = CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS);
                return switch (mode) {
                    case "later" -> PhaseResult.later(CompletableFuture.supplyAsync(PhaseResult::proceed, elsewhere));
                    case "fail" -> PhaseResult.later(CompletableFuture.supplyAsync(() -> {
                        throw new IllegalStateException("backend of the plugin is down");
                    }, elsewhere));
                    case "reject" -> PhaseResult.later(CompletableFuture.supplyAsync(
                            () -> PhaseResult.respondJson(429, "{\"error_msg\":\"later no\"}"), elsewhere));
                    default -> PhaseResult.after(Duration.ofMillis(millis));
                };
            }
        };
    }
}
