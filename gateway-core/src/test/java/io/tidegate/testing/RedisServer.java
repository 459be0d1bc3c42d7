package io.tidegate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real {@code redis-server} process for tests (Debian's redis-server, installed by .ci/run), on
 * a free loopback port, without persistence. It can be stopped and started again on the same port
 * to test what the gateway does while Redis is away.
 */
public final class RedisServer extends LocalProcess {
    private int port;
    private Path dir;
    private Process process;

    public int port() {
        return port;
    }

    @Override
    public synchronized void start() {
        try {
            if (port == 0) {
                port = FreePort.pick();
                dir = TempDirs.create("tidegate-redis");
            }
            process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            awaitPort(port, true, "redis-server");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server (apt-get install redis-server): " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void stop() {
        if (process != null) {
            kill(process, port, "redis-server");
            process = null;
        }
    }
}
