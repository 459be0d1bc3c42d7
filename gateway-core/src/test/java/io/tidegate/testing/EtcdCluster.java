package io.tidegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.config.EtcdSettings;
import io.tidegate.source.EtcdStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd cluster of {@code size} members (Debian's etcd-server, installed by .ci/run), each an
 * {@code etcd} process on free loopback ports with a data folder of its own, bootstrapped
 * statically ({@code --initial-cluster}). Heartbeats every 100 ms and a 500 ms election timeout
 * (etcd's defaults are 100 ms and 1 s) keep elections quick. A member can be stopped (SIGTERM),
 * killed (SIGKILL, as a crash) and started again on its data and ports, and the cluster says which
 * member leads (each member's maintenance status, through etcd's JSON gateway).
 */
public final class EtcdCluster extends LocalProcess {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final int size;
    private final List<Member> members = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final String token = "tidegate-" + UUID.randomUUID().toString().substring(0, 8);

    private static final class Member {
        final String name;
        final int clientPort = FreePort.pick();
        final int peerPort = FreePort.pick();
        final Path dir;
        Process process;

        Member(String name, Path dir) {
            this.name = name;
            this.dir = dir;
        }

        String endpoint() {
            return "http://127.0.0.1:" + clientPort;
        }

        String peer() {
            return "http://127.0.0.1:" + peerPort;
        }

        boolean running() {
            return process != null && process.isAlive();
        }
    }

    public EtcdCluster() {
        this(3);
    }

    public EtcdCluster(int size) {
        this.size = size;
    }

    /** The members' client URLs, in member order: what {@code tidegate.etcd.endpoints} lists. */
    public List<String> endpoints() {
        return members.stream().map(Member::endpoint).toList();
    }

    /** The endpoints as a YAML flow list: {@code ["http://127.0.0.1:1", ...]}. */
    public String endpointsYaml() {
        return endpoints().stream().map(e -> "\"" + e + "\"").toList().toString();
    }

    public String endpoint(int member) {
        return members.get(member).endpoint();
    }

    public int size() {
        return size;
    }

    /** A store on every member under {@code prefix}, for tests to read and write keys directly. */
    public EtcdStore store(String prefix) {
        return new EtcdStore(new EtcdSettings(endpoints(), prefix, null, null, 5, null));
    }

    /** Starts every member that is not running and waits until the cluster has a leader and serves reads. */
    @Override
    public synchronized void start() {
        if (members.isEmpty()) {
            Path root = TempDirs.create("tidegate-etcd-cluster");
            for (int i = 0; i < size; i++) {
                members.add(new Member("m" + i, root.resolve("m" + i)));
            }
        }
        for (int i = 0; i < size; i++) {
            if (!members.get(i).running()) {
                launch(i);
            }
        }
        for (int i = 0; i < size; i++) {
            awaitPort(members.get(i).clientPort, true, "etcd member " + i + " (log: " + log(i) + ")");
        }
        awaitLeader();
    }

    /** Starts member {@code i} again (on its own data and ports) and waits until it accepts connections. */
    public synchronized void start(int i) {
        if (!members.get(i).running()) {
            launch(i);
        }
        awaitPort(members.get(i).clientPort, true, "etcd member " + i + " (log: " + log(i) + ")");
    }

    private void launch(int i) {
        Member member = members.get(i);
        String cluster = String.join(",", members.stream().map(m -> m.name + "=" + m.peer()).toList());
        List<String> command = List.of("etcd", "--name", member.name, "--data-dir", member.dir.resolve("data").toString(),
                "--listen-client-urls", member.endpoint(), "--advertise-client-urls", member.endpoint(),
                "--listen-peer-urls", member.peer(), "--initial-advertise-peer-urls", member.peer(),
                // read only when the data folder is new; a restarted member rejoins from its own data
                "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", token,
                "--heartbeat-interval", "100", "--election-timeout", "500", "--log-level", "warn");
        try {
            java.nio.file.Files.createDirectories(member.dir);
            member.process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start etcd (apt-get install etcd-server): " + e.getMessage(), e);
        }
    }

    private Path log(int i) {
        return members.get(i).dir.resolve("etcd.log");
    }

    /**
     * Stops member {@code i} as an operator would (SIGTERM: a leader hands its leadership over
     * first), killing it after 5 s if it has not stopped by then; waits until its port is closed.
     */
    public synchronized void stop(int i) {
        Member member = members.get(i);
        if (member.process == null) {
            return;
        }
        member.process.destroy();
        try {
            if (!member.process.waitFor(5, TimeUnit.SECONDS)) {
                member.process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kill(member.process, member.clientPort, "etcd member " + i);
        member.process = null;
    }

    /** Kills member {@code i} (SIGKILL: a crash, kill -9) and waits until its port is closed. */
    public synchronized void kill(int i) {
        Member member = members.get(i);
        if (member.process != null) {
            kill(member.process, member.clientPort, "etcd member " + i);
            member.process = null;
        }
    }

    /** Kills every member. */
    @Override
    public synchronized void stop() {
        for (int i = 0; i < members.size(); i++) {
            kill(i);
        }
    }

    public synchronized boolean running(int i) {
        return members.get(i).running();
    }

    /**
     * The member that leads, as the running members' statuses say (each names the leader it
     * follows, and its own id); -1 when none names a running member.
     */
    public int leader() {
        // ids are unsigned 64-bit numbers, written as text: compared as text
        List<String> ids = new ArrayList<>();
        String leader = null;
        for (int i = 0; i < size; i++) {
            JsonNode status = running(i) ? status(i) : null;
            ids.add(status == null ? "" : status.path("header").path("member_id").asText());
            String follows = status == null ? "" : status.path("leader").asText("");
            if (!follows.isEmpty() && !follows.equals("0") && status.path("errors").isMissingNode()) {
                leader = follows;
            }
        }
        return leader == null ? -1 : ids.indexOf(leader);
    }

    /**
     * Waits until a running member leads and every running member can serve a linearizable read
     * (each member's /health), i.e. the cluster has a quorum; returns the leader.
     */
    public int awaitLeader() {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            int leader = leader();
            if (leader >= 0 && healthy()) {
                return leader;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the etcd cluster elected no leader within 30 s; logs in " + members.get(0).dir.getParent());
            }
            sleep(10);
        }
    }

    /**
     * Hands the leadership to member {@code to} (etcd's move-leader, asked of the current leader)
     * and waits until it leads.
     */
    public void moveLeader(int to) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            int leader = awaitLeader();
            if (leader == to) {
                return;
            }
            String target = status(to).path("header").path("member_id").asText();
            call(leader, HttpRequest.newBuilder(URI.create(endpoint(leader) + "/v3/maintenance/transfer-leadership"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"targetID\":\"" + target + "\"}")));
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("member " + to + " never took the leadership over");
            }
            sleep(50);
        }
    }

    /**
     * How many watches member {@code i} serves (its {@code etcd_debugging_mvcc_watcher_total}); -1
     * when it does not answer.
     */
    public int watchers(int i) {
        try {
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(endpoint(i) + "/metrics"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return metrics.body().lines().filter(line -> line.startsWith("etcd_debugging_mvcc_watcher_total "))
                    .mapToInt(line -> (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim()))
                    .findFirst().orElse(-1);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Waits until the running members serve exactly one watch between them (a gateway's), and returns the member serving it. */
    public int awaitOneWatch() {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            int total = 0;
            int member = -1;
            for (int i = 0; i < size; i++) {
                int watchers = running(i) ? watchers(i) : 0;
                total += Math.max(0, watchers);
                if (watchers > 0) {
                    member = i;
                }
            }
            if (total == 1) {
                return member;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the members serve " + total + " watches, not one");
            }
            sleep(20);
        }
    }

    /** Whether every running member says it is healthy (a leader, no alarm, a read served). */
    private boolean healthy() {
        for (int i = 0; i < size; i++) {
            if (running(i)) {
                JsonNode health = call(i, HttpRequest.newBuilder(URI.create(endpoint(i) + "/health")).GET());
                if (health == null || !"true".equals(health.path("health").asText())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Member {@code i}'s maintenance status ({@code header.member_id}, {@code leader}, {@code errors}); null when it does not answer. */
    public JsonNode status(int i) {
        return call(i, HttpRequest.newBuilder(URI.create(endpoint(i) + "/v3/maintenance/status"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    }

    private JsonNode call(int i, HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
