package io.tidegate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.Gateway;
import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigLoader;
import io.tidegate.config.GatewayConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The real gateway, started in-process from YAML text on an ephemeral loopback port, with an HTTP
 * client pointed at it. The YAML is the same file format users write (resources at the top level,
 * optional {@code tidegate:} section); a listener on 127.0.0.1:0 is added when none is given.
 */
public final class TestGateway implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Gateway gateway;
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private TestGateway(Gateway gateway) {
        this.gateway = gateway;
    }

    public static TestGateway start(String yaml) {
        return started(() -> Gateway.start(new ConfigLoader().load(write(yaml))));
    }

    /**
     * As {@link #start(String)}, with plugins loaded once for many gateways (the YAML's
     * {@code plugins_dir} must be {@code plugins}' folder): the caller keeps and closes the registry.
     */
    public static TestGateway start(String yaml, io.tidegate.plugin.PluginRegistry plugins) {
        return started(() -> Gateway.start(new ConfigLoader().load(write(yaml)), plugins));
    }

    /** A gateway start, which a configuration error may refuse. */
    @FunctionalInterface
    private interface Start {
        Gateway run() throws ConfigException;
    }

    /** The started gateway; a refused configuration fails the test with every error it has. */
    private static TestGateway started(Start start) {
        try {
            return new TestGateway(start.run());
        } catch (ConfigException e) {
            throw new IllegalStateException("test config is invalid:\n" + String.join("\n", e.errors()), e);
        }
    }

    /** Starts a plain-HTTP test gateway with {@code limits} (a YAML flow mapping) and {@code resources} (YAML). */
    public static TestGateway startWithLimits(String limits, String resources) {
        return start("""
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  limits: %s
                %s""".formatted(limits, resources));
    }

    /** Starts the gateway on a configuration loaded beforehand, as {@code Main} does. */
    public static TestGateway start(GatewayConfig loaded) {
        return started(() -> Gateway.start(loaded));
    }

    /** Writes a config file, adding a test listener unless the YAML has a tidegate section. */
    public static Path write(String yaml) {
        String full = yaml.contains("tidegate:") ? yaml
                : "tidegate:\n  threads: 2\n  listeners:\n    - address: 127.0.0.1:0\n" + yaml;
        try {
            Path dir = TempDirs.create("tidegate-test");
            Path file = dir.resolve("config.yaml");
            Files.writeString(file, full);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Gateway gateway() {
        return gateway;
    }

    /** The configuration file the gateway was started from (and watches). */
    public Path configFile() {
        return gateway.configFile();
    }

    public int port() {
        return gateway.listenerAddresses().get(0).getPort();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    public HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(30));
    }

    public HttpResponse<String> get(String pathAndQuery) {
        return send(request(pathAndQuery).GET().build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        return send(request, HttpResponse.BodyHandlers.ofString());
    }

    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The Prometheus text from the gateway's metrics address (which its configuration must set). */
    public String metrics() {
        URI metrics = URI.create("http://127.0.0.1:" + gateway.metricsAddress().getPort() + "/metrics");
        HttpResponse<String> response = send(HttpRequest.newBuilder(metrics).GET().build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("metrics answered " + response.statusCode());
        }
        return response.body();
    }

    /** Requests {@code path} until it answers {@code status}; returns how many milliseconds that took. */
    public long awaitStatus(String path, int status, long timeoutMillis) {
        long start = System.nanoTime();
        while (get(path).statusCode() != status) {
            if (System.nanoTime() - start > timeoutMillis * 1_000_000) {
                throw new AssertionError(path + " did not answer " + status + " within " + timeoutMillis + " ms");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** A JSON page of the gateway's status listener (which its configuration must set). */
    public JsonNode status(String path) {
        URI status = URI.create("http://127.0.0.1:" + gateway.statusAddress().getPort() + path);
        return json(send(HttpRequest.newBuilder(status).GET().build()));
    }

    /** The upstream's description of the request it received (see {@link UpstreamServer}). */
    public static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + response.body(), e);
        }
    }

    @Override
    public void close() {
        gateway.close();
    }
}
