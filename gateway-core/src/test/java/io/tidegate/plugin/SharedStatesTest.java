package io.tidegate.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Shared plugin state: one object per key while held, closed with its last holder, never across jar versions. */
class SharedStatesTest {
    private final SharedStates states = new SharedStates();
    private final AtomicInteger closed = new AtomicInteger();

    private AutoCloseable make() {
        return closed::incrementAndGet;
    }

    @Test
    void oneObjectPerKeyUntilTheLastHolderLetsGo() {
        ClassLoader loader = getClass().getClassLoader();
        List<SharedStates.Hold> first = new ArrayList<>();
        List<SharedStates.Hold> second = new ArrayList<>();
        AutoCloseable a = states.acquire("p", loader, "key", this::make, first);
        AutoCloseable b = states.acquire("p", loader, "key", this::make, second);
        assertSame(a, b);
        first.forEach(SharedStates.Hold::release);
        first.forEach(SharedStates.Hold::release);  // twice: still one release
        assertEquals(0, closed.get(), "still held by the second");
        second.forEach(SharedStates.Hold::release);
        assertEquals(1, closed.get());
        assertEquals(0, states.open());
    }

    @Test
    void aReplacedJarVersionGetsObjectsOfItsOwn() throws Exception {
        try (URLClassLoader newVersion = new URLClassLoader(new URL[0], getClass().getClassLoader())) {
            List<SharedStates.Hold> holds = new ArrayList<>();
            AutoCloseable old = states.acquire("p", getClass().getClassLoader(), "key", this::make, holds);
            AutoCloseable fresh = states.acquire("p", newVersion, "key", this::make, holds);
            assertNotSame(old, fresh, "a String key from two versions must not hand the old version's object to the new");
            assertEquals(2, states.open());
        }
    }
}
