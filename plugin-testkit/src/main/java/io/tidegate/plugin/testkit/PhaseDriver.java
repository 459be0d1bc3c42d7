package io.tidegate.plugin.testkit;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;

/**
 * Runs a chain of instances (highest priority first, as given) through every phase in the
 * gateway's order and by its contract:
 *
 * <ol>
 *   <li>{@code rewrite} of each, then {@code access} of each, then {@code before_proxy} of each;
 *       a {@link PhaseResult#later} result is waited for, an {@link PhaseResult#after} delay is
 *       recorded (not slept);</li>
 *   <li>an answer ends the request phases there: no later request phase runs, the upstream is not
 *       called and no body filter runs, but {@code header_filter} and {@code log} still run for every
 *       instance of the chain (they see the answer's status);</li>
 *   <li>otherwise the upstream's response (status, headers, body chunks) goes through
 *       {@code header_filter}, then {@code body_filter} of the instances that filter bodies, then
 *       {@code log}.</li>
 * </ol>
 */
public final class PhaseDriver {
    /**
     * What the client received.
     *
     * @param answer     the early answer, or null when the request was proxied
     * @param answeredIn the phase that answered ({@code rewrite}, {@code access}, {@code before_proxy}), or null
     * @param delays     the delays asked for by {@code after} results, in order
     * @param body       the response body after the body filters (the answer's body for an answer)
     */
    public record Outcome(PhaseResult answer, String answeredIn, List<Duration> delays, String body) {
        public boolean proxied() {
            return answer == null;
        }
    }

    private PhaseDriver() {}

    /** The chain against an upstream answering {@code status} with {@code headers} and the body in {@code chunks}. */
    public static Outcome run(TestContext context, int status, Map<String, String> headers, List<String> chunks,
                              PluginInstance... chain) {
        List<Duration> delays = new ArrayList<>();
        List<BiFunction<PluginInstance, PluginContext, PhaseResult>> phases = List.of(
                PluginInstance::rewrite, PluginInstance::access, PluginInstance::beforeProxy);
        List<String> names = List.of("rewrite", "access", "before_proxy");
        for (int p = 0; p < phases.size(); p++) {
            for (PluginInstance instance : chain) {
                PhaseResult result = resolve(phases.get(p).apply(instance, context), delays);
                if (!result.proceeds()) {
                    context.upstreamResponse(result.status(), Map.of());
                    each(chain, i -> i.headerFilter(context));
                    each(chain, i -> i.log(context));
                    return new Outcome(result, names.get(p), List.copyOf(delays), new String(result.body(),
                            java.nio.charset.StandardCharsets.UTF_8));
                }
            }
        }
        context.upstreamResponse(status, headers);
        each(chain, i -> i.headerFilter(context));
        String body = String.join("", chunks);
        for (PluginInstance instance : chain) {
            if (instance.filtersBody()) {
                body = PluginRunner.filterBody(instance, context, body);
            }
        }
        each(chain, i -> i.log(context));
        return new Outcome(null, null, List.copyOf(delays), body);
    }

    private static PhaseResult resolve(PhaseResult result, List<Duration> delays) {
        while (result.isDeferred()) {
            if (result.delay() != null) {
                delays.add(result.delay());
                return PhaseResult.proceed();
            }
            try {
                result = result.pending().toCompletableFuture().join();
            } catch (CompletionException e) {
                // the gateway answers a failed deferred decision with 500
                return PhaseResult.respondJson(500, "{\"error_msg\":\"500 Internal Server Error\"}");
            }
        }
        return result;
    }

    private static void each(PluginInstance[] chain, java.util.function.Consumer<PluginInstance> phase) {
        for (PluginInstance instance : chain) {
            phase.accept(instance);
        }
    }
}
