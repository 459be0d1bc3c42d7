package io.tidegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} process for tests (Debian's redis-server, installed by .ci/run), on
 * a free loopback port, without persistence. It can be stopped and started again on the same port
 * to test what the gateway does while Redis is away.
 */
public final class RedisServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private int port;
    private Path dir;
    private Process process;

    public int port() {
        return port;
    }

    public synchronized void start() {
        try {
            if (port == 0) {
                port = FreePort.pick();
                dir = Files.createTempDirectory("tidegate-redis");
            }
            process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            waitUntil(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server (apt-get install redis-server): " + e.getMessage(), e);
        }
    }

    public synchronized void stop() {
        if (process != null) {
            process.destroy();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
            waitUntil(false);
        }
    }

    private void waitUntil(boolean listening) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            boolean open;
            try (Socket socket = new Socket("127.0.0.1", port)) {
                open = true;
            } catch (IOException e) {
                open = false;
            }
            if (open == listening) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("redis-server on port " + port + " did not " + (listening ? "start" : "stop"));
    }

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
}
