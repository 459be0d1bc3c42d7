package io.tidegate.plugins.limits;

import io.tidegate.testing.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One real {@code redis-server} (or sentinel) process of a test's Redis Cluster or sentinel group,
 * on a free loopback port, without persistence; killed like a crash. {@link #cli} runs
 * {@code redis-cli} against it, as an operator would. Debian's redis-server package brings both.
 */
final class RedisNode {
    private static final long WAIT_SECONDS = 30;

    private final String name;
    private final int port;
    private final Path dir;
    private final List<String> command;
    private final String password;
    /** How it listens: {@code --port}, or {@code --tls-port} with the plain port off. */
    private final List<String> listen;
    /** redis-cli's options to reach it (TLS). */
    private final List<String> cliOptions;
    private Process process;

    /**
     * @param command  the redis-server arguments after the program (a config file, or options); the
     *                 port, bind address and folder are added
     * @param password what {@link #cli} authenticates with, or null
     */
    RedisNode(String name, int port, Path dir, List<String> command, String password) {
        this(name, port, dir, command, password, List.of("--port", Integer.toString(port)), List.of());
    }

    private RedisNode(String name, int port, Path dir, List<String> command, String password, List<String> listen,
                      List<String> cliOptions) {
        this.name = name;
        this.port = port;
        this.dir = dir;
        this.command = command;
        this.password = password;
        this.listen = listen;
        this.cliOptions = cliOptions;
    }

    /**
     * A node that speaks TLS only, on {@code port}, presenting {@code cert}; clients need no
     * certificate of their own. redis-cli trusts {@code ca}.
     */
    static RedisNode tls(String name, int port, Path dir, List<String> command, Path cert, Path key, Path ca) {
        List<String> listen = List.of("--port", "0", "--tls-port", Integer.toString(port), "--tls-cert-file", cert.toString(),
                "--tls-key-file", key.toString(), "--tls-ca-cert-file", ca.toString(), "--tls-auth-clients", "no");
        return new RedisNode(name, port, dir, command, null, listen, List.of("--tls", "--cacert", ca.toString()));
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** Options of a data node: nothing written to disk. */
    static final List<String> NO_PERSISTENCE = List.of("--save", "", "--appendonly", "no");

    /** Several distinct free ports (FreePort alone may hand out one twice in a row). */
    static List<Integer> freePorts(int count) {
        List<Integer> ports = new ArrayList<>();
        while (ports.size() < count) {
            int port = FreePort.pick();
            if (!ports.contains(port)) {
                ports.add(port);
            }
        }
        return ports;
    }

    synchronized void start() {
        List<String> line = new ArrayList<>();
        line.add("redis-server");
        line.addAll(command);
        line.addAll(listen);
        line.addAll(List.of("--bind", "127.0.0.1", "--dir", dir.toString()));
        try {
            process = new ProcessBuilder(line).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start redis-server (apt-get install redis-server): " + e.getMessage(), e);
        }
        await(() -> listening(port), name + " on port " + port + " did not start");
    }

    /** Kills it (SIGKILL: a crash, no goodbye to its peers) and waits until its port is closed. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        await(() -> !listening(port), name + " on port " + port + " did not stop");
    }

    synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** {@code redis-cli} against this node: its output, trimmed, lines ending in \n; "" when it cannot run. */
    String cli(String... arguments) {
        List<String> line = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
        line.addAll(cliOptions);
        if (password != null) {
            line.addAll(List.of("--no-auth-warning", "-a", password));
        }
        line.addAll(List.of(arguments));
        try {
            Process cli = new ProcessBuilder(line).redirectErrorStream(true).start();
            String output = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!cli.waitFor(30, TimeUnit.SECONDS)) {
                cli.destroyForcibly();
            }
            return output.replace("\r\n", "\n").trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-cli (apt-get install redis-tools): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** A field of an INFO section ({@code role}, {@code master_link_status}), or null. */
    String info(String section, String field) {
        for (String line : cli("INFO", section).split("\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        return null;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls {@code condition} every 50 ms for up to 30 s; fails with {@code failure} if it never holds. */
    static void await(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(failure);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(failure, e);
            }
        }
    }
}
