package io.tidegate.plugin.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The driver keeps the gateway's phase contract. */
class PhaseDriverTest {
    private final List<String> calls = new ArrayList<>();

    /** Records each phase; answers {@code answer} in {@code answerIn}. */
    private PluginInstance recorder(String name, String answerIn, PhaseResult answer) {
        return new PluginInstance() {
            private PhaseResult phase(String phase) {
                calls.add(name + ":" + phase);
                return phase.equals(answerIn) ? answer : PhaseResult.proceed();
            }

            @Override public PhaseResult rewrite(PluginContext c) { return phase("rewrite"); }
            @Override public PhaseResult access(PluginContext c) { return phase("access"); }
            @Override public PhaseResult beforeProxy(PluginContext c) { return phase("before_proxy"); }
            @Override public void headerFilter(PluginContext c) { calls.add(name + ":header_filter:" + c.response().status()); }
            @Override public void log(PluginContext c) { calls.add(name + ":log"); }
        };
    }

    @Test
    void anAnswerStopsTheRequestPhasesButNotHeaderFilterAndLog() {
        PhaseDriver.Outcome outcome = PhaseDriver.run(TestContext.get("/"), 200, Map.of(), List.of("body"),
                recorder("a", "access", PhaseResult.respondJson(403, "{}")), recorder("b", "none", null));
        assertEquals(403, outcome.answer().status());
        assertEquals("access", outcome.answeredIn());
        assertEquals(List.of("a:rewrite", "b:rewrite", "a:access", "a:header_filter:403", "b:header_filter:403", "a:log", "b:log"),
                calls);
    }

    @Test
    void aProxiedRequestRunsEveryPhaseInOrderAndDeferredResultsAreResolved() {
        PhaseDriver.Outcome outcome = PhaseDriver.run(TestContext.get("/"), 201, Map.of(), List.of("bo", "dy"),
                recorder("a", "rewrite", PhaseResult.later(CompletableFuture.completedFuture(PhaseResult.proceed()))),
                recorder("b", "access", PhaseResult.after(Duration.ofMillis(250))));
        assertTrue(outcome.proxied());
        assertEquals(List.of(Duration.ofMillis(250)), outcome.delays());
        assertEquals("body", outcome.body());
        assertEquals(List.of("a:rewrite", "b:rewrite", "a:access", "b:access", "a:before_proxy", "b:before_proxy",
                "a:header_filter:201", "b:header_filter:201", "a:log", "b:log"), calls);
    }

    @Test
    void aDeferredAnswerIsTheAnswer() {
        PhaseDriver.Outcome outcome = PhaseDriver.run(TestContext.get("/"), 200, Map.of(), List.of(),
                recorder("a", "access", PhaseResult.later(CompletableFuture.completedFuture(PhaseResult.respondJson(429, "{}")))));
        assertEquals(429, outcome.answer().status());
    }
}
