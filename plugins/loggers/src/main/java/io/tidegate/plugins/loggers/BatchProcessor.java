package io.tidegate.plugins.loggers;

import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.OutageLog;
import io.tidegate.plugin.api.PluginLog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * APISIX's batch processor, shared by the batching loggers (http-logger, tcp-logger, udp-logger,
 * syslog, kafka-logger): entries wait in a bounded queue and go out together, through a
 * {@link Sink}, when {@code batch_max_size} are waiting, when none came for
 * {@code inactive_timeout}, or when the oldest has waited {@code buffer_duration}. A failed send is
 * retried {@code max_retry_count} times, {@code retry_delay} apart, then the batch is dropped. All on
 * one background thread; a full queue drops new entries rather than wait. Every drop is counted and
 * reported to the gateway's metrics; an outage of the destination is logged once, then summarised
 * (see {@link CollectorOutage}). One per distinct setting, shared by every instance using it
 * ({@code services.shared}); closing it sends what waits, then closes the sink.
 */
final class BatchProcessor implements AutoCloseable {
    /** APISIX's batch processor fields (its {@code name} only names the thread here). */
    record Settings(String name, int batchMaxSize, Duration inactiveTimeout, Duration bufferDuration, int maxRetryCount,
                    Duration retryDelay) {}

    /**
     * An entry waiting in the queue. Its bytes are made on the processor's thread as its batch goes
     * out, so the request that logs it only hands over what it captured.
     */
    @FunctionalInterface
    interface Entry {
        byte[] bytes();

        /** Appends the entry's bytes to a batch's payload; an entry that can write itself there saves an array. */
        default void writeTo(BatchBytes out) {
            byte[] bytes = bytes();
            out.write(bytes, 0, bytes.length);
        }
    }

    /**
     * Where a batch goes. Called on the processor's thread only. A sink that sends a batch as one
     * payload says how it joins the entries ({@link #join}); the processor writes them straight
     * into that payload and calls {@link #sendJoined}. Any other gets the entries one by one
     * ({@link #send}).
     */
    interface Sink extends AutoCloseable {
        /** How the sink joins a batch into one payload; null when it takes the entries apart. */
        default Batches.Join join() {
            return null;
        }

        /** With a {@link #join()}: sends the payload of one batch of {@code entries} entries; throws when it did not arrive. */
        default void sendJoined(byte[] payload, int entries) throws Exception {
            throw new UnsupportedOperationException("this sink takes the entries apart: send");
        }

        /** Without a {@link #join()}: sends one batch (entries in arrival order); throws when it did not arrive. */
        default void send(List<byte[]> batch) throws Exception {
            throw new UnsupportedOperationException("this sink joins its batches: sendJoined");
        }

        /** Called once, after the last batch. */
        @Override
        default void close() {}
    }

    /** A failure worded by the sink: its message alone is logged (no exception class name). */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private final Settings settings;
    private final String destination;
    private final Sink sink;
    private final EntryQueue queue;
    private final ScheduledExecutorService thread;
    private final AtomicLong dropped = new AtomicLong();
    /** IO threads drop concurrently when the queue is full; one of them warns per summary period. */
    private final AtomicLong lastQueueFullWarningNanos = new AtomicLong(System.nanoTime());
    /** A full batch waiting: one wake-up of the thread is enough, however many IO threads see it. */
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    /** The payload of a joining sink's batch as it is written, kept for the next; the processor's thread's only. */
    private final BatchBytes payload = new BatchBytes();
    private final DropCounter reported;
    private final PluginLog log;
    private final CollectorOutage outage;
    private volatile boolean closed;
    private volatile boolean lateEntryWarned;
    private volatile long firstWaitingNanos;
    private volatile long lastAddedNanos;

    /**
     * @param destination names the destination in log lines (never a secret)
     * @param threadName the background thread's name
     * @param log the log of the instance that made it
     */
    BatchProcessor(Settings settings, String destination, String threadName, Sink sink, DropCounter reported, PluginLog log) {
        this.settings = settings;
        this.destination = destination;
        this.sink = sink;
        this.reported = reported;
        this.log = log;
        this.outage = new CollectorOutage(log, destination);
        this.queue = new EntryQueue(Math.max(settings.batchMaxSize() * 10, 1000));
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::flushIfDue, 100, 100, TimeUnit.MILLISECONDS);
    }

    Settings settings() {
        return settings;
    }

    /** Never blocks; false (and counted) when the queue is full or the processor is closed. */
    boolean add(Entry entry) {
        if (closed) {
            return droppedLate();
        }
        long now = System.nanoTime();
        if (queue.isEmpty()) {
            firstWaitingNanos = now;
        }
        lastAddedNanos = now;
        int waiting = queue.offer(entry);
        if (waiting > 0) {
            // close() may have sent its last batch between the check above and the offer; both
            // are ordered (a volatile flag, the queue's atomic links), so this second look sees it
            // and nothing sits unsent.
            if (closed) {
                return !queue.remove(entry) || droppedLate();
            }
            if (waiting >= settings.batchMaxSize() && wakeUpPending.compareAndSet(false, true)) {
                // a full batch goes now (APISIX sends it at once), not at the next tick
                try {
                    thread.execute(this::flushIfDue);
                } catch (RejectedExecutionException e) {
                    wakeUpPending.set(false); // closing: close() sends it
                }
            }
            return true;
        }
        long total = countDropped(1);
        long lastWarned = lastQueueFullWarningNanos.get();
        if ((total == 1 || now - lastWarned >= OutageLog.SUMMARY_EVERY.toNanos())
                && lastQueueFullWarningNanos.compareAndSet(lastWarned, now)) {
            log.warn("{}: queue full, {} entries dropped so far", destination, total);
        }
        return false;
    }

    /** A request that outlived every configuration version using this processor: counted, never queued and forgotten. */
    private boolean droppedLate() {
        countDropped(1);
        if (!lateEntryWarned) {
            lateEntryWarned = true;
            log.warn("{}: entry of a request that finished after its logger was removed dropped (counted)", destination);
        }
        return false;
    }

    /** Counted here (for the warnings) and in the gateway's metrics; returns the total so far. */
    private long countDropped(int entries) {
        reported.add(entries);
        return dropped.addAndGet(entries);
    }

    /**
     * For a sink whose sends complete later (kafka-logger's async producer): entries that a
     * batch the processor took as sent finally lost, counted and logged as any dropped batch.
     */
    void lostLater(String failure, int entries) {
        countDropped(entries);
        synchronized (outage) {
            outage.batchLost(failure, entries);
        }
    }

    /** For a sink whose sends complete later: a batch that did arrive. */
    void deliveredLater() {
        synchronized (outage) {
            outage.delivered();
        }
    }

    long dropped() {
        return dropped.get();
    }

    private void flushIfDue() {
        wakeUpPending.set(false);
        try {
            long now = System.nanoTime();
            while (!closed && !queue.isEmpty() && (queue.size() >= settings.batchMaxSize()
                    || now - lastAddedNanos >= settings.inactiveTimeout().toNanos()
                    || now - firstWaitingNanos >= settings.bufferDuration().toNanos())) {
                sendOne(payload);
                firstWaitingNanos = System.nanoTime();
            }
        } catch (RuntimeException e) {
            log.error("{}: batch processing failed", destination, e);
        }
    }

    /** Sends the next batch (with its retries); false when it was lost. */
    private boolean sendOne(BatchBytes buffer) {
        List<Entry> waiting = new ArrayList<>(Math.min(queue.size(), settings.batchMaxSize()));
        queue.drainTo(waiting, settings.batchMaxSize());
        Batches.Join join = sink.join();
        List<byte[]> batch = null;
        byte[] joined = null;
        int entries;
        if (join == null) {
            batch = rendered(waiting);
            entries = batch.size();
        } else {
            entries = joined(waiting, join, buffer);
            joined = entries == 0 ? null : joinedPayload(join, entries, buffer);
        }
        if (entries == 0) {
            return true;
        }
        String failure = null;
        for (int attempt = 0; attempt <= settings.maxRetryCount(); attempt++) {
            if (attempt > 0) {
                sleep(settings.retryDelay());
            }
            try {
                if (join == null) {
                    sink.send(batch);
                } else {
                    sink.sendJoined(joined, entries);
                }
                synchronized (outage) {
                    outage.delivered();
                }
                return true;
            } catch (Failure e) {
                failure = e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "interrupted";
                break;
            } catch (Exception e) {
                // a RuntimeException too (a request the client refuses to build): the batch is lost and counted, never a loop of stack traces
                failure = e.toString();
            }
            synchronized (outage) {
                outage.tryFailed(failure, attempt + 1, settings.maxRetryCount() + 1);
            }
        }
        countDropped(entries);
        synchronized (outage) {
            outage.batchLost(failure, entries);
        }
        return false;
    }

    /**
     * Writes the entries into {@code payload} as {@link Batches#joined} would join their bytes,
     * the array's brackets included; one that cannot be written (a bug) is taken back out, dropped
     * and counted, the rest still go. Returns how many were written.
     */
    private int joined(List<Entry> entries, Batches.Join join, BatchBytes payload) {
        payload.clear();
        boolean separated = join != Batches.Join.CONCATENATED;
        boolean array = join == Batches.Join.JSON_ARRAY || join == Batches.Join.JSON_OR_SINGLE;
        if (array) {
            payload.write('[');
        }
        int written = 0;
        for (Entry entry : entries) {
            int start = payload.size();
            try {
                if (written > 0 && separated) {
                    payload.write(join == Batches.Join.LINES ? '\n' : ',');
                }
                entry.writeTo(payload);
                written++;
            } catch (RuntimeException e) {
                payload.truncate(start);
                countDropped(1);
                log.error("{}: an entry could not be written, dropped", destination, e);
            }
        }
        if (array) {
            payload.write(']');
        }
        return written;
    }

    /** The payload {@link #joined} wrote, as the sink sends it: a batch of one of JSON_OR_SINGLE without its brackets. */
    private static byte[] joinedPayload(Batches.Join join, int entries, BatchBytes payload) {
        byte[] bytes = join == Batches.Join.JSON_OR_SINGLE && entries == 1 ? payload.copy(1, payload.size() - 1)
                : payload.copy(0, payload.size());
        payload.clear();
        return bytes;
    }

    /** The entries' bytes; one that cannot be made (a bug) is dropped and counted, the rest still go. */
    private List<byte[]> rendered(List<Entry> entries) {
        List<byte[]> batch = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            try {
                batch.add(entry.bytes());
            } catch (RuntimeException e) {
                countDropped(1);
                log.error("{}: an entry could not be written, dropped", destination, e);
            }
        }
        return batch;
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends what is waiting, then stops and closes the sink. Once a batch is lost the destination
     * is down: the rest is dropped (counted) at once rather than each batch waiting out its
     * timeout, so a stop or a reload never hangs on a dead collector.
     */
    @Override
    public void close() {
        closed = true;
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        BatchBytes closing = new BatchBytes();
        while (!queue.isEmpty()) {
            // a buffer of its own: a batch thread that outlived the wait above may still be writing in the other
            if (!sendOne(closing)) {
                List<Entry> rest = new ArrayList<>();
                queue.drainTo(rest, Integer.MAX_VALUE);
                if (!rest.isEmpty()) {
                    countDropped(rest.size());
                    synchronized (outage) {
                        outage.batchLost("not sent on closing: the destination failed", rest.size());
                    }
                }
            }
        }
        try {
            sink.close();
        } catch (RuntimeException e) {
            log.warn("{}: closing failed: {}", destination, e.toString());
        }
    }
}
