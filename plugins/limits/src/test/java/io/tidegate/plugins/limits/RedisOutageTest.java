package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisConnectionException;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.testkit.PluginRunner;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What limit-count writes to the gateway's log while its Redis fails, on a clock the test moves.
 * The plugin's log is captured by the test kit, with the gateway's prefix naming the plugin.
 */
class RedisOutageTest {
    private final PluginLog log = PluginRunner.capturingLog("limit-count", "route:1");
    private final AtomicLong now = new AtomicLong();

    @BeforeEach
    void nothingLoggedYet() {
        PluginRunner.clearLogged();
    }

    private List<String> logged() {
        return PluginRunner.logged();
    }

    @Test
    void aLongOutageIsItsFirstFailureASummaryPerTenSecondsAndItsEnd() {
        RedisOutage outage = new RedisOutage("127.0.0.1:6379", log, now::get);
        Throwable refusedConnection = new CompletionException(new RedisConnectionException("Connection refused: /127.0.0.1:6379"));
        outage.refused(refusedConnection);
        for (int tenth = 1; tenth <= 250; tenth++) { // 25 s, ten requests a second of each kind
            now.addAndGet(Duration.ofMillis(100).toNanos());
            outage.refused(refusedConnection);
            outage.letThrough(refusedConnection);
        }
        outage.answered();
        outage.answered();

        assertEquals(List.of(
                "WARN [limit-count route:1] Redis 127.0.0.1:6379 failed (io.lettuce.core.RedisConnectionException: Connection refused:"
                        + " /127.0.0.1:6379); the request was refused with 500; further failures are summarised every 10 s"
                        + " until Redis answers again",
                "WARN [limit-count route:1] Redis 127.0.0.1:6379 still failing (io.lettuce.core.RedisConnectionException: Connection"
                        + " refused: /127.0.0.1:6379); in the last 10 s: 100 requests refused with 500,"
                        + " 99 requests let through uncounted (allow_degradation)",
                "WARN [limit-count route:1] Redis 127.0.0.1:6379 still failing (io.lettuce.core.RedisConnectionException: Connection"
                        + " refused: /127.0.0.1:6379); in the last 10 s: 100 requests refused with 500,"
                        + " 100 requests let through uncounted (allow_degradation)",
                "INFO [limit-count route:1] Redis 127.0.0.1:6379 answers again; while it failed: 251 requests refused with 500,"
                        + " 250 requests let through uncounted (allow_degradation)"), logged());
    }

    @Test
    void aRequestThatOnlyWaitedIsReportedWithTheTimeoutNotTheFutureThatCarriedIt() {
        RedisOutage outage = new RedisOutage("redis:6379", log, now::get);
        outage.letThrough(new CompletionException(new TimeoutException("no answer from Redis within 500 ms")));
        assertEquals(List.of("WARN [limit-count route:1] Redis redis:6379 failed (java.util.concurrent.TimeoutException: no answer from"
                + " Redis within 500 ms); the request was let through uncounted (allow_degradation); further failures are"
                + " summarised every 10 s until Redis answers again"), logged());
    }
}
