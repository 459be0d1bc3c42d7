package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tidegate.plugin.api.PluginLog;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class CollectorOutageTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger(CollectorOutage.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    /** The plugin's log (services.log()), its lines handed to the logger captured here. */
    private final PluginLog log = new PluginLog() {
        @Override
        public void debug(String message, Object... args) {
            logger.debug(message, args);
        }

        @Override
        public void info(String message, Object... args) {
            logger.info(message, args);
        }

        @Override
        public void warn(String message, Object... args) {
            logger.warn(message, args);
        }

        @Override
        public void error(String message, Object... args) {
            logger.error(message, args);
        }
    };

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

    @Test
    void anOutageIsLoggedOnceNotPerBatchAndItsEndWithTheLoss() {
        CollectorOutage outage = new CollectorOutage(log, "http-logger http://collector/logs");
        outage.tryFailed("java.net.ConnectException", 1, 2);
        outage.batchLost("java.net.ConnectException", 1000);
        for (int i = 0; i < 200; i++) {
            outage.tryFailed("java.net.ConnectException", 1, 2);
            outage.batchLost("java.net.ConnectException", 1000);
        }
        outage.delivered();
        outage.delivered();

        List<String> logged = lines.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
        assertEquals(3, logged.size(), logged.toString());
        assertEquals("WARN http-logger http://collector/logs: java.net.ConnectException (try 1 of 2, retrying)", logged.get(0));
        assertEquals("ERROR http-logger http://collector/logs: batch of 1000 entries dropped: java.net.ConnectException",
                logged.get(1));
        assertEquals("INFO http-logger http://collector/logs: collector accepts batches again; 201000 entries were dropped while it failed",
                logged.get(2));
    }

    @Test
    void aNewOutageAfterRecoveryIsLoggedAgain() {
        AtomicLong now = new AtomicLong();
        CollectorOutage outage = new CollectorOutage(log, "http-logger x", now::get);
        outage.batchLost("collector answered 500", 10);
        outage.delivered();
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        outage.batchLost("collector answered 503", 5);
        assertTrue(lines.list.get(lines.list.size() - 1).getFormattedMessage().endsWith("batch of 5 entries dropped: collector answered 503"));
        assertEquals(Level.ERROR, lines.list.get(lines.list.size() - 1).getLevel());
    }

    @Test
    void aCollectorThatFlapsIsSummarisedNotLoggedPerBatch() {
        AtomicLong now = new AtomicLong();
        CollectorOutage outage = new CollectorOutage(log, "http-logger x", now::get);
        for (int batch = 0; batch < 100; batch++) {
            now.addAndGet(Duration.ofMillis(100).toNanos());
            outage.batchLost("collector answered 502", 10);
            outage.delivered();
        }
        now.addAndGet(Duration.ofMillis(100).toNanos());
        outage.batchLost("collector answered 502", 10);
        List<String> logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of("http-logger x: batch of 10 entries dropped: collector answered 502",
                "http-logger x: collector accepts batches again; 10 entries were dropped while it failed",
                "http-logger x: collector still failing (collector answered 502); 1000 entries dropped in the last 10 s"), logged);
    }

    @Test
    void aLongOutageIsSummarisedEveryTenSecondsWithWhatWasLostSince() {
        AtomicLong now = new AtomicLong();
        CollectorOutage outage = new CollectorOutage(log, "http-logger x", now::get);
        outage.batchLost("collector answered 502", 100);
        for (int second = 1; second <= 25; second++) {
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            outage.batchLost("collector answered 502", 100);
        }
        List<String> logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of("http-logger x: batch of 100 entries dropped: collector answered 502",
                "http-logger x: collector still failing (collector answered 502); 1000 entries dropped in the last 10 s",
                "http-logger x: collector still failing (collector answered 502); 1000 entries dropped in the last 10 s"), logged);
    }
}
