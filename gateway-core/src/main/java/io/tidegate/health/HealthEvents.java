package io.tidegate.health;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last state changes of checked nodes, newest first: what an operator asks after an alert
 * ("when did it go down, and why?"), which the current state alone does not say. Bounded, so a
 * flapping node cannot grow it.
 */
public final class HealthEvents {
    /** One node turning healthy or unhealthy. */
    public record Event(Instant time, String upstream, String node, boolean healthy, String reason) {}

    private final int capacity;
    private final Deque<Event> events = new ArrayDeque<>();

    public HealthEvents(int capacity) {
        this.capacity = capacity;
    }

    synchronized void add(Event event) {
        if (events.size() == capacity) {
            events.removeLast();
        }
        events.addFirst(event);
    }

    /** Newest first. */
    public synchronized List<Event> recent() {
        return new ArrayList<>(events);
    }
}
