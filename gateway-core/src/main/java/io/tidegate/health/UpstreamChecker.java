package io.tidegate.health;

import io.tidegate.config.HealthChecks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The health checks of one upstream: the health of each of its nodes, and the probes that keep it
 * current. Created while a configuration compiles, but probing only once that configuration serves
 * ({@link #probe}), so a version that fails to compile never sends a probe. Every tick probes the
 * nodes that are due (healthy ones every {@code healthy.interval}, unhealthy ones every
 * {@code unhealthy.interval}), at most {@code concurrency} at a time.
 */
public final class UpstreamChecker {
    /** Ticks run a little late or early; a node due within this much of a tick is probed by it. */
    private static final long TICK_SLACK_NANOS = 5_000_000;
    private final String upstream;
    private final HealthChecks checks;
    private final HealthRules activeRules;
    private final HealthRules passiveRules;
    private final Probe probe;
    private final HealthEvents events;
    private final Semaphore permits;
    private final Map<ProbeTarget, NodeHealth> nodes = new ConcurrentHashMap<>();
    private volatile List<Probing> probing = List.of();
    private ScheduledFuture<?> ticks;

    UpstreamChecker(String upstream, HealthChecks checks, Probe probe, HealthEvents events) {
        this.upstream = upstream;
        this.events = events;
        this.checks = checks;
        this.probe = probe;
        this.activeRules = new HealthRules(checks.active().thresholds(), !"tcp".equals(checks.active().type()));
        this.passiveRules = checks.passive() == null ? null
                : new HealthRules(checks.passive().thresholds(), !"tcp".equals(checks.passive().type()));
        this.permits = new Semaphore(checks.active().concurrency());
    }

    public String upstream() {
        return upstream;
    }

    public String type() {
        return checks.active().type();
    }

    /** The rules real traffic is judged by, or null without passive checks. */
    public HealthRules passiveRules() {
        return passiveRules;
    }

    /** The node's health, created healthy on first use; kept for as long as the node stays configured. */
    public NodeHealth node(ProbeTarget target, String address) {
        return nodes.computeIfAbsent(target, t -> new NodeHealth(upstream, address, events));
    }

    /** The nodes being probed, in configuration order. */
    public List<NodeHealth> nodes() {
        return probing.stream().map(p -> p.health).toList();
    }

    /** Probes exactly these nodes from now on; the health of nodes no longer configured is forgotten. */
    synchronized void probe(Set<ProbeTarget> targets, ScheduledExecutorService scheduler, Executor probes) {
        Map<ProbeTarget, Probing> previous = new LinkedHashMap<>();
        probing.forEach(p -> previous.put(p.target, p));
        List<Probing> next = new ArrayList<>();
        for (ProbeTarget target : targets) {
            NodeHealth health = nodes.get(target);
            if (health != null) {
                Probing kept = previous.get(target);
                next.add(kept != null ? kept : new Probing(target, health));
            }
        }
        nodes.keySet().retainAll(targets);
        probing = List.copyOf(next);
        if (ticks == null) {
            long tickMillis = Math.max(10, Math.round(Math.min(checks.active().healthyInterval(),
                    checks.active().unhealthyInterval()) * 1000));
            ticks = scheduler.scheduleWithFixedDelay(() -> tick(probes), 0, tickMillis, TimeUnit.MILLISECONDS);
        }
    }

    /** Whether a serving configuration uses this checker (one from a failed compile never probes). */
    synchronized boolean probing() {
        return ticks != null && !ticks.isCancelled();
    }

    synchronized void stop() {
        if (ticks != null) {
            ticks.cancel(false);
        }
    }

    private void tick(Executor probes) {
        long now = System.nanoTime();
        for (Probing p : probing) {
            if (now - p.dueNanos >= 0 && !p.running.get() && permits.tryAcquire()) {
                p.running.set(true);
                try {
                    probes.execute(() -> run(p, now));
                } catch (RejectedExecutionException e) {
                    p.running.set(false);
                    permits.release();
                    return; // shutting down
                }
            }
        }
    }

    private void run(Probing p, long tickNanos) {
        try {
            Probe.Result result = probe.run(p.target);
            if (result.outcome() != null) {
                p.health.report(result.outcome(), activeRules, "active");
            } else {
                p.health.reportStatus(result.status(), activeRules, "active");
            }
            double interval = p.health.healthy() ? checks.active().healthyInterval() : checks.active().unhealthyInterval();
            // counted from the tick that started the probe, not from its end: otherwise a probe that
            // takes any time at all would make the node miss the next tick and wait a whole interval more
            p.dueNanos = tickNanos + (long) (interval * 1e9) - TICK_SLACK_NANOS;
        } finally {
            p.running.set(false);
            permits.release();
        }
    }

    /** A node being probed: when it is next due, and whether a probe of it is under way. */
    private static final class Probing {
        final ProbeTarget target;
        final NodeHealth health;
        final AtomicBoolean running = new AtomicBoolean();
        volatile long dueNanos = System.nanoTime();

        Probing(ProbeTarget target, NodeHealth health) {
            this.target = target;
            this.health = health;
        }
    }
}
