package io.tidegate.proxy;

import java.util.Arrays;
import java.util.function.Function;
import org.xnio.XnioIoThread;

/**
 * A value of each XNIO IO thread, found by the thread's number: a ThreadLocal lookup per request
 * showed in the proxy path's profile (3% of its samples). A value belongs to its thread: only that
 * thread may use it. Threads of another worker with the same number (tests run several workers in
 * one JVM) take the slot over and keep their value in a ThreadLocal meanwhile.
 *
 * @param <T> the value
 */
final class IoThreadLocal<T> {
    private record Slot(XnioIoThread thread, Object value) {}

    /** Thread numbers beyond this use the ThreadLocal only. */
    private static final int MAX_SLOTS = 1024;
    private final Function<XnioIoThread, T> initial;
    private final ThreadLocal<Slot> elsewhere = new ThreadLocal<>();
    private volatile Slot[] slots = new Slot[0];

    IoThreadLocal(Function<XnioIoThread, T> initial) {
        this.initial = initial;
    }

    /** {@code thread}'s value, made on first use; {@code thread} must be the calling thread. */
    @SuppressWarnings("unchecked")
    T get(XnioIoThread thread) {
        int number = thread.getNumber();
        Slot[] bySlot = slots;
        if (number >= 0 && number < bySlot.length) {
            Slot slot = bySlot[number];
            if (slot != null && slot.thread == thread) {
                return (T) slot.value;
            }
        }
        Slot slot = elsewhere.get();
        if (slot == null || slot.thread != thread) {
            slot = new Slot(thread, initial.apply(thread));
            elsewhere.set(slot);
        }
        if (number >= 0 && number < MAX_SLOTS) {
            synchronized (this) {
                Slot[] next = Arrays.copyOf(slots, Math.max(slots.length, number + 1));
                next[number] = slot;
                slots = next;
            }
        }
        return (T) slot.value;
    }
}
