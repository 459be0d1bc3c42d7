package io.tidegate.testing;

import io.tidegate.config.EtcdSettings;
import io.tidegate.source.EtcdStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real single-member {@code etcd} (Debian's etcd-server, installed by .ci/run) on free loopback
 * ports with a temporary data directory. It can be stopped and started again on the same ports and
 * data, to test what the gateway does while etcd is away.
 */
public final class EtcdServer extends LocalProcess {
    private int clientPort;
    private int peerPort;
    private Path dir;
    private Process process;

    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    /** A store on this server under {@code prefix}, for tests to read and write keys directly. */
    public EtcdStore store(String prefix) {
        return new EtcdStore(new EtcdSettings(List.of(endpoint()), prefix, null, null, 5));
    }

    /** Starts the process unless it runs already. */
    @Override
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            if (dir == null) {
                clientPort = FreePort.pick();
                peerPort = FreePort.pick();
                dir = Files.createTempDirectory("tidegate-etcd");
            }
            String peer = "http://127.0.0.1:" + peerPort;
            process = new ProcessBuilder(List.of("etcd", "--name", "test", "--data-dir", dir.resolve("data").toString(),
                    "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", "test=" + peer, "--log-level", "warn"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("etcd.log").toFile()))
                    .start();
            awaitPort(clientPort, true, "etcd (log: " + dir.resolve("etcd.log") + ")");
            awaitHealthy();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start etcd (apt-get install etcd-server): " + e.getMessage(), e);
        }
    }

    /**
     * Waits until etcd has a leader and takes writes (its /health says so). A freshly bootstrapped
     * member killed before this point may not come back, and writes before it only wait.
     */
    private void awaitHealthy() {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest health = java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint() + "/health"))
                .timeout(java.time.Duration.ofSeconds(2)).build();
        await(() -> {
            try {
                return client.send(health, java.net.http.HttpResponse.BodyHandlers.ofString()).body()
                        .contains("\"health\":\"true\"");
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, "etcd on port " + clientPort + " never became healthy; see " + dir.resolve("etcd.log"));
    }

    /** Kills the process, as a crash would (etcd's graceful stop waits on open watches). */
    @Override
    public synchronized void stop() {
        if (process != null) {
            kill(process, clientPort, "etcd");
            process = null;
        }
    }
}
