package io.tidegate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.testing.Fifos;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The command line, as an operator uses it: {@code -t}, {@code --version}, bad usage. */
class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void testFlagAcceptsAValidConfig() throws IOException {
        Files.createDirectories(dir.resolve("plugins-dist"));
        Path config = dir.resolve("ok.yaml");
        Files.writeString(config, """
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "127.0.0.1:8080": 1 } } }
                """);
        assertEquals(0, run("-t", "-c", config.toString()));
        assertEquals("tidegate: configuration file " + config + " is valid (1 routes, 0 upstreams)\n", stdout());
        assertEquals("", stderr());
    }

    @Test
    @Timeout(30)
    void startAndExitBindsTheListenersThenStops() throws Exception {
        Files.createDirectories(dir.resolve("plugins-dist"));
        Path config = dir.resolve("ok.yaml");
        // the port is taken while the gateway runs: binding it proves the start went as far as listening
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Files.writeString(config, """
                tidegate: { listeners: [{ address: "127.0.0.1:%d" }], plugins_dir: %s }
                routes:
                  - { id: 1, uri: "/*", upstream: { nodes: { "127.0.0.1:8080": 1 } } }
                """.formatted(port, dir.resolve("plugins-dist")));
        assertEquals(0, run("-c", config.toString(), "--start-and-exit"));
        assertEquals("tidegate: started with " + config + " and stopped\n", stdout());
        try (java.net.ServerSocket again = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertEquals(port, again.getLocalPort(), "the listener was closed on the way out");
        }
        try (java.net.ServerSocket taken = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertEquals(1, run("-c", config.toString(), "--start-and-exit"), "a start that cannot listen fails");
        }
    }

    @Test
    void testFlagPrintsEveryErrorWithItsPathAndFails() throws IOException {
        Path config = dir.resolve("broken.yaml");
        Files.writeString(config, """
                routes:
                  - { id: 1, uri: /a, upstream: { nodes: {} } }
                  - { id: 2, uri: /b, upstream_id: ghost, vars: [["arg_x", "~~", "(unclosed"]] }
                """);
        assertEquals(1, run("-t", "-c", config.toString()));
        assertEquals("""
                tidegate: configuration file %s is invalid (2 errors):
                  routes[0].upstream.nodes: must not be empty
                  routes[1].upstream_id: upstream "ghost" does not exist
                """.formatted(config), stderr());
        assertEquals("", stdout());
    }

    @Test
    void testFlagReportsCompileErrorsToo() throws IOException {
        Path config = dir.resolve("compile.yaml");
        Files.writeString(config, """
                routes:
                  - { id: 1, uri: /a, vars: [["arg_x", "~~", "(unclosed"], ["arg_y", "like", "z"]], upstream: { nodes: { "127.0.0.1:1": 1 } } }
                  - { id: 2, uri: "/a/*/b", remote_addrs: ["10.0.0.0/33", "not-an-ip"], upstream: { nodes: { "127.0.0.1:1": 1 } } }
                  - { id: 3, uri: /c, hosts: ["*foo.com"], upstream: { nodes: [{ host: 127.0.0.1, port: 1, weight: 1 }] } }
                ssls:
                  - { id: 1, cert: "not a certificate", key: "not a key", snis: [a.example.com] }
                """);
        assertEquals(1, run("-t", "-c", config.toString()));
        String errors = stderr();
        assertTrue(errors.contains("(7 errors)"), errors);
        assertTrue(errors.contains("  routes[0].vars[0]: invalid regex: Unclosed group\n"), errors);
        assertTrue(errors.contains("  routes[0].vars[1]: unknown operator \"like\""), errors);
        assertTrue(errors.contains("  routes[1].remote_addrs[0]: CIDR prefix length must be 0-32\n"), errors);
        assertTrue(errors.contains("  routes[1].remote_addrs[1]: must be an IPv4 or IPv6 address or CIDR block\n"), errors);
        assertTrue(errors.contains("  routes[1].uri: * may only end a path (as /prefix* or /prefix/*name)\n"), errors);
        assertTrue(errors.contains("  routes[2].hosts: wildcard host \"*foo.com\" must start with *.\n"), errors);
        assertTrue(errors.contains("  ssls[0]: no PEM certificate found\n"), errors);
    }

    @Test
    void missingConfigFileFails() {
        assertEquals(1, run("-t", "-c", dir.resolve("nope.yaml").toString()));
        assertTrue(stderr().contains(dir.resolve("nope.yaml") + ": file not found"), stderr());
    }

    @Test
    void testFlagFailsOnWhatWouldOnlyShowAs503s() throws IOException {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path config = dir.resolve("unloaded.yaml");
        Files.writeString(config, """
                tidegate: { plugins_dir: plugins }
                routes:
                  - { id: open, uri: /open, upstream: { nodes: { "127.0.0.1:8080": 1 } } }
                  - { id: guarded, uri: /guarded, plugins: { key-auth: {}, limit-count: { count: 1 } }, upstream: { nodes: { "127.0.0.1:8080": 1 } } }
                """);
        assertEquals(1, run("-t", "-c", config.toString()));
        assertEquals("""
                tidegate: configuration file %s is invalid (1 error):
                  routes[1].plugins: not loaded from %s: key-auth, limit-count (the route would answer 503)
                """.formatted(config, plugins), stderr());

        Files.delete(plugins);
        assertEquals(1, run("-t", "-c", config.toString()));
        assertTrue(stderr().contains("  tidegate.plugins_dir: " + plugins + " is not a folder\n"), stderr());
        assertTrue(Files.notExists(plugins), "a check creates nothing");
    }

    @Test
    void aTakenPortIsNamedInOneLine() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path config = dir.resolve("taken.yaml");
            Files.writeString(config, """
                    tidegate: { listeners: [{ address: "127.0.0.1:%d" }] }
                    routes: []
                    """.formatted(taken.getLocalPort()));
            assertEquals(1, run("-c", config.toString()));
            assertEquals("tidegate: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": address already in use\n", stderr());
        }
    }

    @Test
    void versionAndUsage() {
        assertEquals(0, run("--version"));
        assertTrue(stdout().startsWith("tidegate "), stdout());
        assertEquals(2, run("--bogus"));
        assertTrue(stderr().contains("unknown option --bogus"), stderr());
        assertEquals(2, run("-c"));
    }

    @Test
    void shippedConfigIsValid() {
        Path shipped = Path.of("..", "config.yaml");
        assertEquals(0, run("-t", "-c", shipped.toString()), stderr());
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void testFlagRefusesADeviceQuickly() {
        assertEquals(1, run("-t", "-c", "/dev/zero"));
        assertEquals("""
                tidegate: configuration file /dev/zero is invalid (1 error):
                  /dev/zero: is not a regular file (a device, FIFO or socket), so it is not read
                """, stderr());
    }

    @Test
    @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void testFlagRefusesAFifoWithoutWaitingForAWriter() throws Exception {
        Path fifo = Fifos.make(dir.resolve("pipe.yaml"));
        assertEquals(1, run("-t", "-c", fifo.toString()));
        assertTrue(stderr().contains("  " + fifo + ": is not a regular file (a device, FIFO or socket), so it is not read\n"), stderr());
    }
}
