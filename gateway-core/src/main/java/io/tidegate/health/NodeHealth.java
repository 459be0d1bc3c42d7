package io.tidegate.health;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's health as an upstream's checks see it, fed by probes and by real traffic. Counters
 * count consecutive outcomes: a success clears the failure counts, a failure clears the success
 * count. A healthy node turns unhealthy when one kind of failure reaches its threshold; an unhealthy
 * one turns healthy after enough successes. The common case (healthy node, successful request,
 * nothing counted) reads one volatile field and takes no lock.
 */
public final class NodeHealth {
    private static final Logger log = LoggerFactory.getLogger(NodeHealth.class);

    private final String upstream;
    private final String address;
    private final HealthEvents events;
    private volatile boolean healthy = true;
    /** Whether any counter is non-zero; lets the common case skip the lock. */
    private volatile boolean counting;
    private int successes;
    private int httpFailures;
    private int tcpFailures;
    private int timeouts;

    NodeHealth(String upstream, String address, HealthEvents events) {
        this.upstream = upstream;
        this.address = address;
        this.events = events;
    }

    public boolean healthy() {
        return healthy;
    }

    public String address() {
        return address;
    }

    /** A response status from real traffic or a probe; statuses the rules do not list are ignored. */
    public void reportStatus(int status, HealthRules rules, String source) {
        Outcome outcome = rules.ofStatus(status);
        if (outcome != null) {
            report(outcome, rules, source);
        }
    }

    /** @param source "active" or "passive", for the log */
    public void report(Outcome outcome, HealthRules rules, String source) {
        if (!counting && healthy != outcome.failure()) {
            return; // already in the state this outcome argues for, with nothing counted
        }
        boolean changed;
        synchronized (this) {
            changed = outcome.failure() ? failure(outcome, rules) : success(rules);
            counting = successes + httpFailures + tcpFailures + timeouts > 0;
        }
        if (changed) {
            String reason = healthy ? rules.successes + " " + source + " successes"
                    : rules.threshold(outcome) + " " + source + " " + describe(outcome) + " in a row";
            if (healthy) {
                log.info("upstream {}: node {} is healthy again ({})", upstream, address, reason);
            } else {
                log.warn("upstream {}: node {} is unhealthy after {}", upstream, address, reason);
            }
            events.add(new HealthEvents.Event(java.time.Instant.now(), upstream, address, healthy, reason));
        }
    }

    private boolean success(HealthRules rules) {
        httpFailures = tcpFailures = timeouts = 0;
        if (healthy) {
            successes = 0;
            return false;
        }
        successes++;
        if (rules.successes > 0 && successes >= rules.successes) {
            successes = 0;
            healthy = true;
            return true;
        }
        return false;
    }

    private boolean failure(Outcome outcome, HealthRules rules) {
        successes = 0;
        if (!healthy) {
            httpFailures = tcpFailures = timeouts = 0;
            return false;
        }
        int count = switch (outcome) {
            case HTTP_FAILURE -> ++httpFailures;
            case TCP_FAILURE -> ++tcpFailures;
            default -> ++timeouts;
        };
        int threshold = rules.threshold(outcome);
        if (threshold > 0 && count >= threshold) {
            httpFailures = tcpFailures = timeouts = 0;
            healthy = false;
            return true;
        }
        return false;
    }

    /** Counters as the status endpoint shows them. */
    public synchronized Counts counts() {
        return new Counts(successes, httpFailures, tcpFailures, timeouts);
    }

    public record Counts(int successes, int httpFailures, int tcpFailures, int timeouts) {}

    private static String describe(Outcome outcome) {
        return switch (outcome) {
            case HTTP_FAILURE -> "HTTP failures";
            case TCP_FAILURE -> "TCP failures";
            case TIMEOUT -> "timeouts";
            case SUCCESS -> "successes";
        };
    }
}
