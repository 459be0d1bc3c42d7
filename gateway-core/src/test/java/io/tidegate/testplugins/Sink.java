package io.tidegate.testplugins;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Events plugins record, readable from the test's class loader too (only JDK types cross over). */
public final class Sink {
    private static final String KEY = "tidegate.test.sink";

    private Sink() {}

    @SuppressWarnings("unchecked")
    public static synchronized Queue<String> events() {
        Object queue = System.getProperties().get(KEY);
        if (queue == null) {
            queue = new ConcurrentLinkedQueue<String>();
            System.getProperties().put(KEY, queue);
        }
        return (Queue<String>) queue;
    }
}
