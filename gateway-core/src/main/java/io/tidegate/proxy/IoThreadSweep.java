package io.tidegate.proxy;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * Watches things that live on one IO thread (exchanges in progress) with one repeating task per
 * thread instead of a timer each: joining and leaving are a few pointer writes in a list only that
 * thread touches, so there is no lock and no timer queue on the request path. The task is armed
 * only while the list holds something, so an idle thread is not woken, and a worker shutting down
 * finds no task of ours that wants to run again.
 *
 * @param <T> what is watched
 */
final class IoThreadSweep<T extends IoThreadSweep.Watched> {
    /** Something a sweep looks at; true from {@link #check} ends the watch. */
    interface Watched {
        boolean check(long nowNanos);
    }

    private final long periodMillis;
    private final IoThreadLocal<Lane> lanes = new IoThreadLocal<>(Lane::new);

    IoThreadSweep(long periodMillis) {
        this.periodMillis = periodMillis;
    }

    /** Starts watching {@code item} on {@code thread}, which must be the calling thread. */
    Entry join(XnioIoThread thread, T item) {
        Lane lane = lanes.get(thread);
        Entry entry = new Entry(lane, item);
        entry.next = lane.head;
        if (lane.head != null) {
            lane.head.previous = entry;
        }
        lane.head = entry;
        lane.arm();
        return entry;
    }

    /** One thread's watched items and the task that walks them. */
    private final class Lane {
        private final XnioIoThread thread;
        private Entry head;
        private XnioExecutor.Key armed;

        Lane(XnioIoThread thread) {
            this.thread = thread;
        }

        void arm() {
            if (armed == null) {
                try {
                    armed = thread.executeAfter(this::run, periodMillis, TimeUnit.MILLISECONDS);
                } catch (RejectedExecutionException e) {
                    // the worker is shutting down: nothing will be swept any more
                }
            }
        }

        private void run() {
            armed = null;
            long now = System.nanoTime();
            for (Entry entry = head; entry != null; ) {
                Entry following = entry.next;
                if (entry.item != null && entry.item.check(now)) {
                    entry.leave();
                }
                entry = following;
            }
            if (head != null) {
                arm();
            }
        }
    }

    /** A place in a sweep; {@link #leave} from any thread ends it. */
    final class Entry {
        private final Lane lane;
        private Watched item;
        private Entry previous;
        private Entry next;

        private Entry(Lane lane, Watched item) {
            this.lane = lane;
            this.item = item;
        }

        void leave() {
            if (Thread.currentThread() != lane.thread) {
                lane.thread.execute(this::leave); // the list is the IO thread's alone
                return;
            }
            if (item == null) {
                return;
            }
            item = null;
            if (previous != null) {
                previous.next = next;
            } else if (lane.head == this) {
                lane.head = next;
            }
            if (next != null) {
                next.previous = previous;
            }
            previous = next = null;
        }
    }
}
