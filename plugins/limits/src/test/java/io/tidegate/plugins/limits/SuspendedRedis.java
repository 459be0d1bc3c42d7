package io.tidegate.plugins.limits;

import io.tidegate.testing.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A redis-server the test harness started, suspended with SIGSTOP: the kernel still accepts
 * connections for it and takes the commands sent, but nothing answers, as with a Redis hung on a
 * slow disk, a long script or a paused VM. Closing resumes it (SIGCONT). Linux only: the process
 * is found by the title redis-server gives itself ({@code redis-server 127.0.0.1:<port>}).
 */
final class SuspendedRedis implements AutoCloseable {
    private final long pid;

    private SuspendedRedis(long pid) {
        this.pid = pid;
        signal("STOP");
    }

    static SuspendedRedis suspend(RedisServer redis) {
        String title = "127.0.0.1:" + redis.port();
        long pid = ProcessHandle.current().descendants()
                .filter(p -> commandLine(p.pid()).contains(title))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no redis-server child of this JVM listens on " + title))
                .pid();
        return new SuspendedRedis(pid);
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return ""; // the process ended meanwhile
        }
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        signal("CONT");
    }
}
