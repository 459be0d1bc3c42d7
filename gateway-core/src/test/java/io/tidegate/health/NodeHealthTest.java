package io.tidegate.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.config.HealthChecks;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The state machine every probe and passive report goes through. */
class NodeHealthTest {
    /** successes 2; http failures 3, tcp failures 2, timeouts 1 */
    private static final HealthRules RULES = new HealthRules(
            new HealthChecks.Thresholds(List.of(200), 2, List.of(500), 3, 2, 1), true);

    private final HealthEvents events = new HealthEvents(2);
    private final NodeHealth node = new NodeHealth("u", "127.0.0.1:1", events);

    @Test
    void ejectedAfterConsecutiveFailuresOfOneKind() {
        node.reportStatus(500, RULES, "active");
        node.reportStatus(500, RULES, "active");
        assertTrue(node.healthy(), "2 of 3 http failures");
        node.reportStatus(500, RULES, "active");
        assertFalse(node.healthy());
        assertEquals(new NodeHealth.Counts(0, 0, 0, 0), node.counts(), "counters start over in the new state");
        HealthEvents.Event event = events.recent().get(0);
        assertEquals(List.of("127.0.0.1:1", "3 active HTTP failures in a row"), List.of(event.node(), event.reason()));
        assertFalse(event.healthy());
    }

    @Test
    void keepsTheLatestChangesNewestFirst() {
        for (int i = 0; i < 3; i++) {
            node.reportStatus(500, RULES, "active");
        }
        node.reportStatus(200, RULES, "active");
        node.reportStatus(200, RULES, "active");
        for (int i = 0; i < 3; i++) {
            node.reportStatus(500, RULES, "passive");
        }
        assertEquals(List.of(false, true), events.recent().stream().map(HealthEvents.Event::healthy).toList(),
                "bounded at 2, newest first");
        assertEquals("3 passive HTTP failures in a row", events.recent().get(0).reason());
    }

    @Test
    void aSuccessBreaksTheRun() {
        node.reportStatus(500, RULES, "active");
        node.reportStatus(500, RULES, "active");
        node.reportStatus(200, RULES, "active");
        node.reportStatus(500, RULES, "active");
        node.reportStatus(500, RULES, "active");
        assertTrue(node.healthy(), "failures must be consecutive");
        assertEquals(new NodeHealth.Counts(0, 2, 0, 0), node.counts());
    }

    @Test
    void kindsCountSeparatelyWithTheirOwnThresholds() {
        node.report(Outcome.TCP_FAILURE, RULES, "passive");
        node.reportStatus(500, RULES, "passive");
        assertTrue(node.healthy());
        node.report(Outcome.TCP_FAILURE, RULES, "passive");
        assertFalse(node.healthy(), "2 tcp failures");

        NodeHealth other = new NodeHealth("u", "127.0.0.1:2", events);
        other.report(Outcome.TIMEOUT, RULES, "passive");
        assertFalse(other.healthy(), "a single timeout with timeouts: 1");
    }

    @Test
    void readmittedAfterConsecutiveSuccesses() {
        node.report(Outcome.TIMEOUT, RULES, "active");
        node.reportStatus(200, RULES, "active");
        node.report(Outcome.TCP_FAILURE, RULES, "active");
        node.reportStatus(200, RULES, "active");
        assertFalse(node.healthy(), "a failure in between starts the successes over");
        node.reportStatus(200, RULES, "active");
        assertTrue(node.healthy());
    }

    @Test
    void unlistedStatusesAndTcpTypeAreNeutral() {
        node.reportStatus(404, RULES, "active");
        node.reportStatus(404, RULES, "active");
        node.reportStatus(404, RULES, "active");
        assertTrue(node.healthy());
        HealthRules tcpOnly = new HealthRules(new HealthChecks.Thresholds(List.of(200), 1, List.of(500), 1, 1, 1), false);
        node.reportStatus(500, tcpOnly, "passive");
        assertTrue(node.healthy(), "type tcp ignores statuses");
    }

    @Test
    void zeroThresholdNeverChangesState() {
        HealthRules never = new HealthRules(new HealthChecks.Thresholds(List.of(200), 0, List.of(500), 0, 0, 0), true);
        for (int i = 0; i < 10; i++) {
            node.reportStatus(500, never, "passive");
            node.report(Outcome.TCP_FAILURE, never, "passive");
        }
        assertTrue(node.healthy());
    }
}
