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
 * data, to test what the gateway does while etcd is away. With {@link #tls} it serves https only and
 * asks clients for a certificate from the same authority, as a production etcd usually does.
 */
public final class EtcdServer extends LocalProcess {
    private int clientPort;
    private int peerPort;
    private Path dir;
    private Process process;
    private TestCertificates authority;
    private TestCertificates.Issued client;

    /** Serve https with a certificate from {@code authority} and require client certificates it issued. */
    public EtcdServer tls(TestCertificates authority) {
        this.authority = authority;
        this.client = authority.issue("etcd-test-client");
        return this;
    }

    public String endpoint() {
        return (authority == null ? "http" : "https") + "://127.0.0.1:" + clientPort;
    }

    /** The client certificate the harness itself uses against a TLS etcd. */
    public TestCertificates.Issued clientCertificate() {
        return client;
    }

    /** A store on this server under {@code prefix}, for tests to read and write keys directly. */
    public EtcdStore store(String prefix) {
        EtcdSettings.Tls tls = authority == null ? null
                : new EtcdSettings.Tls(true, authority.ca().certPem(), client.certPem(), client.keyPem());
        return new EtcdStore(new EtcdSettings(List.of(endpoint()), prefix, null, null, 5, tls));
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
                dir = TempDirs.create("tidegate-etcd");
            }
            String peer = "http://127.0.0.1:" + peerPort;
            List<String> command = new java.util.ArrayList<>(List.of("etcd", "--name", "test", "--data-dir", dir.resolve("data").toString(),
                    "--listen-client-urls", endpoint(), "--advertise-client-urls", endpoint(),
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", "test=" + peer, "--log-level", "warn"));
            if (authority != null) {
                Path[] server = authority.issue("etcd").writeTo(dir, "server");
                Path ca = dir.resolve("ca.crt");
                Files.writeString(ca, authority.ca().certPem());
                command.addAll(List.of("--cert-file", server[0].toString(), "--key-file", server[1].toString(),
                        "--client-cert-auth", "--trusted-ca-file", ca.toString()));
            }
            process = new ProcessBuilder(command)
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
        java.net.http.HttpClient client = authority == null ? java.net.http.HttpClient.newHttpClient()
                : java.net.http.HttpClient.newBuilder().sslContext(this.client.mutualContext(authority.ca())).build();
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
