package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.FreePort;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class SharedSendersTest {
    private static BatchSender.Settings settings(int batchMaxSize) {
        return new BatchSender.Settings(URI.create("http://127.0.0.1:" + FreePort.pick() + "/logs"), null, Duration.ofMillis(200),
                false, batchMaxSize, Duration.ofSeconds(60), Duration.ofSeconds(60), 0, Duration.ofMillis(10));
    }

    @Test
    void versionsWithTheSameSettingsShareOneSenderUntilTheLastLetsGo() {
        SharedSenders senders = new SharedSenders();
        LongAdder dropped = new LongAdder();
        BatchSender.Settings same = settings(10);
        SharedSenders.Lease oldVersion = senders.acquire(same, dropped::add);
        SharedSenders.Lease newVersion = senders.acquire(same, dropped::add);
        SharedSenders.Lease otherRoute = senders.acquire(settings(20), dropped::add);
        assertSame(oldVersion.sender(), newVersion.sender());
        assertNotSame(oldVersion.sender(), otherRoute.sender());
        assertEquals(2, senders.open());

        oldVersion.release();
        assertTrue(newVersion.sender().add(entry()), "still open for the version that remains");
        newVersion.release();
        otherRoute.release();
        assertEquals(0, senders.open());
        assertFalse(newVersion.sender().add(entry()), "closed once nothing uses it");
        assertEquals(2, dropped.sum(), "both counted: the queued entry (no collector listens) and the late one");
    }

    private static byte[] entry() {
        return "{\"route_id\":\"r\"}".getBytes(StandardCharsets.UTF_8);
    }
}
