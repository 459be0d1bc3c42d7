package io.tidegate.health;

import io.tidegate.config.HealthChecks;
import io.tidegate.config.UpstreamTls;
import io.tidegate.tls.ClientTls;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every upstream's health checker, shared by all snapshots like the connection pools are: a checker
 * whose upstream keeps the same checks across a configuration change keeps its nodes' health. After
 * a new snapshot serves, {@link #retainOnly} starts the checkers it uses and stops the others.
 */
public final class HealthCheckers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthCheckers.class);

    /** Identifies one checker: the upstream (by the name logs use) and how it is checked. */
    public record Key(String upstream, HealthChecks checks, UpstreamTls tls) {}

    private final String trustedCas;
    private final Map<Key, UpstreamChecker> checkers = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(daemon("tidegate-health"));
    private final ExecutorService probes = Executors.newCachedThreadPool(daemon("tidegate-health-probe"));

    /** @param trustedCas PEM bundle https probes verify against, or null for the JVM's trust store */
    private final HealthEvents events = new HealthEvents(100);

    public HealthCheckers(String trustedCas) {
        this.trustedCas = trustedCas;
    }

    /** The checker for this key, created (not yet probing) when new. */
    public UpstreamChecker checker(Key key) {
        return checkers.computeIfAbsent(key, k -> {
            HealthChecks.Active active = k.checks().active();
            boolean tls = "https".equals(active.type()) || "grpcs".equals(active.type());
            javax.net.ssl.SSLContext context = tls ? ClientTls.context(active.httpsVerifyCertificate(), trustedCas,
                    k.tls().clientCert(), k.tls().clientKey()) : null;
            Probe probe = active.type().startsWith("grpc") ? new GrpcProbe(active, context) : new HttpProbe(active, context);
            return new UpstreamChecker(k.upstream(), k.checks(), probe, events);
        });
    }

    /** Probes the nodes the serving snapshot uses, per checker; stops every checker it does not use. */
    public void retainOnly(Map<Key, Set<ProbeTarget>> inUse) {
        checkers.entrySet().removeIf(entry -> {
            Set<ProbeTarget> targets = inUse.get(entry.getKey());
            if (targets == null) {
                log.debug("stopping the health checks of upstream {}", entry.getKey().upstream());
                entry.getValue().stop();
                return true;
            }
            entry.getValue().probe(targets, scheduler, probes);
            return false;
        });
    }

    /** The checkers of the serving configuration, for the status endpoint and metrics. */
    /** The latest nodes turning healthy or unhealthy, newest first. */
    public HealthEvents events() {
        return events;
    }

    public List<UpstreamChecker> all() {
        return checkers.values().stream().filter(UpstreamChecker::probing).sorted(java.util.Comparator.comparing(UpstreamChecker::upstream)).toList();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        probes.shutdownNow();
        checkers.clear();
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
