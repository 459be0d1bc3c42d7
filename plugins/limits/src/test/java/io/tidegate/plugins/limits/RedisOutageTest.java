package io.tidegate.plugins.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lettuce.core.RedisConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What limit-count writes to the gateway's log while its Redis fails, on a clock the test moves. */
class RedisOutageTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(RedisOutage.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final AtomicLong now = new AtomicLong();

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
        logger.setLevel(Level.INFO);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
        logger.setLevel(null);
    }

    private List<String> logged() {
        return lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    @Test
    void aLongOutageIsItsFirstFailureASummaryPerTenSecondsAndItsEnd() {
        RedisOutage outage = new RedisOutage("127.0.0.1:6379", now::get);
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
                "WARN limit-count: Redis 127.0.0.1:6379 failed (io.lettuce.core.RedisConnectionException: Connection refused:"
                        + " /127.0.0.1:6379); the request was refused with 500; further failures are summarised every 10 s"
                        + " until Redis answers again",
                "WARN limit-count: Redis 127.0.0.1:6379 still failing (io.lettuce.core.RedisConnectionException: Connection"
                        + " refused: /127.0.0.1:6379); in the last 10 s: 100 requests refused with 500,"
                        + " 99 requests let through uncounted (allow_degradation)",
                "WARN limit-count: Redis 127.0.0.1:6379 still failing (io.lettuce.core.RedisConnectionException: Connection"
                        + " refused: /127.0.0.1:6379); in the last 10 s: 100 requests refused with 500,"
                        + " 100 requests let through uncounted (allow_degradation)",
                "INFO limit-count: Redis 127.0.0.1:6379 answers again; while it failed: 251 requests refused with 500,"
                        + " 250 requests let through uncounted (allow_degradation)"), logged());
    }

    @Test
    void aRequestThatOnlyWaitedIsReportedWithTheTimeoutNotTheFutureThatCarriedIt() {
        RedisOutage outage = new RedisOutage("redis:6379", now::get);
        outage.letThrough(new CompletionException(new TimeoutException("no answer from Redis within 500 ms")));
        assertEquals(List.of("WARN limit-count: Redis redis:6379 failed (java.util.concurrent.TimeoutException: no answer from"
                + " Redis within 500 ms); the request was let through uncounted (allow_degradation); further failures are"
                + " summarised every 10 s until Redis answers again"), logged());
    }
}
