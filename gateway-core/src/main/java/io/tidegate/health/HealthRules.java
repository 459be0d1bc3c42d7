package io.tidegate.health;

import io.tidegate.config.HealthChecks;

/**
 * {@link HealthChecks.Thresholds} in the form the request path reads: status tables instead of
 * lists. {@code countStatuses} false (type tcp) makes every status neutral.
 */
public final class HealthRules {
    private final boolean[] healthyStatus = new boolean[600];
    private final boolean[] unhealthyStatus = new boolean[600];
    private final boolean countStatuses;
    final int successes;
    final int httpFailures;
    final int tcpFailures;
    final int timeouts;

    HealthRules(HealthChecks.Thresholds thresholds, boolean countStatuses) {
        thresholds.healthyStatuses().forEach(s -> healthyStatus[s] = true);
        thresholds.unhealthyStatuses().forEach(s -> unhealthyStatus[s] = true);
        this.countStatuses = countStatuses;
        this.successes = thresholds.successes();
        this.httpFailures = thresholds.httpFailures();
        this.tcpFailures = thresholds.tcpFailures();
        this.timeouts = thresholds.timeouts();
    }

    /** The verdict on a response status, or null when the status is in neither list. */
    Outcome ofStatus(int status) {
        if (!countStatuses || status < 0 || status >= 600) {
            return null;
        }
        return healthyStatus[status] ? Outcome.SUCCESS : unhealthyStatus[status] ? Outcome.HTTP_FAILURE : null;
    }

    /** How many consecutive outcomes of this kind change the node's state; 0 never does. */
    int threshold(Outcome outcome) {
        return switch (outcome) {
            case SUCCESS -> successes;
            case HTTP_FAILURE -> httpFailures;
            case TCP_FAILURE -> tcpFailures;
            case TIMEOUT -> timeouts;
        };
    }
}
