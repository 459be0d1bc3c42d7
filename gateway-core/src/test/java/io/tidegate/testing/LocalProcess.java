package io.tidegate.testing;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A server process the harness runs for tests (redis-server, etcd): started before a test class
 * when registered as a JUnit extension, stopped after it, and stoppable and restartable by the
 * tests in between.
 */
public abstract class LocalProcess implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private static final long WAIT_SECONDS = 30;

    public abstract void start();

    public abstract void stop();

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        stop();
    }

    /** Stops the process (forcibly: a crash, not a clean shutdown) and waits until its port is closed. */
    static void kill(Process process, int port, String name) {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        awaitPort(port, false, name);
    }

    /** Waits until something listens on the loopback port (or, with false, nothing does). */
    static void awaitPort(int port, boolean listening, String name) {
        await(() -> {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return listening;
            } catch (IOException e) {
                return !listening;
            }
        }, name + " on port " + port + " did not " + (listening ? "start" : "stop"));
    }

    /** Polls {@code condition} every 20 ms for up to 30 s; fails with {@code failure} if it never holds. */
    static void await(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(failure);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(failure, e);
            }
        }
    }
}
