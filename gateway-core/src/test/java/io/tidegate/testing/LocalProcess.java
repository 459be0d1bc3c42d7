package io.tidegate.testing;

import java.io.IOException;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/** What the harness's server processes (redis-server, etcd) share: stopping, and waiting on their port. */
final class LocalProcess {
    private LocalProcess() {}

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

    /** Waits up to 20 s until something listens on the loopback port (or, with false, nothing does). */
    static void awaitPort(int port, boolean listening, String name) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
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
        throw new IllegalStateException(name + " on port " + port + " did not " + (listening ? "start" : "stop"));
    }
}
