package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PluginLog;
import io.tidegate.testing.FreePort;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class BatchSenderTest {
    @Test
    void aDownCollectorAndAFullQueueDropAndCountWithoutBlocking() throws Exception {
        int closed = FreePort.pick();
        LongAdder reported = new LongAdder();
        BatchSender sender = new BatchSender(new BatchSender.Settings(URI.create("http://127.0.0.1:" + closed + "/logs"), null,
                Duration.ofMillis(200), false, 10, Duration.ofSeconds(30), Duration.ofSeconds(30), 0, Duration.ofMillis(10)),
                reported::add, PluginLog.NONE);
        long start = System.nanoTime();
        for (int i = 0; i < 5000; i++) {
            byte[] entry = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            sender.add(() -> entry);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis < 1000, "adding never waits on the collector: " + millis + " ms");
        long deadline = System.currentTimeMillis() + 5000;
        while (sender.dropped() < 4000 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        sender.close();
        assertTrue(sender.dropped() >= 4000, "dropped and counted: " + sender.dropped());
        assertEquals(sender.dropped(), reported.sum(), "every drop reaches the gateway's metrics");
    }
}
