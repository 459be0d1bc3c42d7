package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.testkit.TestContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A joining sink's batch, written straight into one payload, is byte for byte what joining the entries' own bytes gives. */
class BatchJoinTest {
    private static final class Joining implements BatchProcessor.Sink {
        final Batches.Join join;
        final List<byte[]> payloads = new CopyOnWriteArrayList<>();
        final List<Integer> counts = new CopyOnWriteArrayList<>();

        Joining(Batches.Join join) {
            this.join = join;
        }

        @Override
        public void send(List<byte[]> batch) {
            throw new AssertionError("a joining sink gets its payload");
        }

        @Override
        public Batches.Join join() {
            return join;
        }

        @Override
        public void sendJoined(byte[] payload, int entries) {
            payloads.add(payload);
            counts.add(entries);
        }
    }

    /** Sends {@code entries} as one batch (closing sends what waits) and returns the sink. */
    private static Joining sent(Batches.Join join, int batchMaxSize, LongAdder dropped, List<BatchProcessor.Entry> entries) {
        Joining sink = new Joining(join);
        BatchProcessor processor = new BatchProcessor(new BatchProcessor.Settings("t", batchMaxSize, Duration.ofSeconds(60),
                Duration.ofSeconds(60), 0, Duration.ofSeconds(1)), "test", "test-batch", sink, dropped::add, PluginLog.NONE);
        entries.forEach(processor::add);
        processor.close();
        return sink;
    }

    private static List<BatchProcessor.Entry> requests(int count) {
        List<BatchProcessor.Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TestContext context = TestContext.request("GET", "/r/" + i + "?q=\"" + i + "\"").header("X-Tag", "é" + i)
                    .var("request_time", "0.00" + i).var("msec", "1764670000.12" + i);
            entries.add(DefaultEntry.capture(context, null, null));
        }
        return entries;
    }

    private static List<byte[]> bytesOf(List<BatchProcessor.Entry> entries) {
        List<byte[]> bytes = new ArrayList<>();
        entries.forEach(entry -> bytes.add(entry.bytes()));
        return bytes;
    }

    @Test
    void everyJoinWritesWhatJoiningTheEntriesBytesGives() {
        List<BatchProcessor.Entry> entries = requests(5);
        for (Batches.Join join : Batches.Join.values()) {
            Joining sink = sent(join, 10, new LongAdder(), entries);
            assertEquals(1, sink.payloads.size(), join.name());
            assertEquals(5, sink.counts.get(0));
            assertArrayEquals(joined(bytesOf(entries), join), sink.payloads.get(0), join.name());
        }
        Joining single = sent(Batches.Join.JSON_OR_SINGLE, 1, new LongAdder(), requests(1));
        assertEquals(new String(requests(1).get(0).bytes(), StandardCharsets.UTF_8), new String(single.payloads.get(0), StandardCharsets.UTF_8),
                "a batch of one entry alone");
        Joining array = sent(Batches.Join.JSON_ARRAY, 10, new LongAdder(), requests(1));
        assertEquals("[" + new String(requests(1).get(0).bytes(), StandardCharsets.UTF_8) + "]",
                new String(array.payloads.get(0), StandardCharsets.UTF_8), "an array even of one");
    }

    @Test
    void anEntryThatFailsHalfWayIsTakenBackOutAndCounted() {
        List<BatchProcessor.Entry> good = requests(3);
        Supplier<BatchProcessor.Entry> broken = () -> new BatchProcessor.Entry() {
            @Override
            public byte[] bytes() {
                throw new IllegalStateException("broken");
            }

            @Override
            public void writeTo(BatchBytes out) {
                out.write("{\"half".getBytes(StandardCharsets.UTF_8), 0, 6);
                throw new IllegalStateException("broken");
            }
        };
        List<BatchProcessor.Entry> entries = List.of(broken.get(), good.get(0), broken.get(), good.get(1), good.get(2), broken.get());
        LongAdder dropped = new LongAdder();
        Joining sink = sent(Batches.Join.JSON_ARRAY, 10, dropped, entries);
        assertEquals(3, dropped.sum());
        assertEquals(3, sink.counts.get(0));
        assertArrayEquals(joined(bytesOf(good), Batches.Join.JSON_ARRAY), sink.payloads.get(0));

        Joining none = sent(Batches.Join.JSON_ARRAY, 10, new LongAdder(), List.of(broken.get()));
        assertEquals(0, none.payloads.size(), "nothing left to send");
    }

    /** The entries' own bytes joined one array at a time: what the processor's payload must equal. */
    private static byte[] joined(List<byte[]> batch, Batches.Join join) {
        boolean array = join == Batches.Join.JSON_ARRAY || join == Batches.Join.JSON_OR_SINGLE && batch.size() > 1;
        boolean separated = join != Batches.Join.CONCATENATED;
        int length = (separated ? batch.size() - 1 : 0) + (array ? 2 : 0);
        for (byte[] entry : batch) {
            length += entry.length;
        }
        byte[] body = new byte[length];
        int at = 0;
        if (array) {
            body[at++] = '[';
        }
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0 && separated) {
                body[at++] = (byte) (join == Batches.Join.LINES ? '\n' : ',');
            }
            byte[] entry = batch.get(i);
            System.arraycopy(entry, 0, body, at, entry.length);
            at += entry.length;
        }
        if (array) {
            body[at] = ']';
        }
        return body;
    }
}
