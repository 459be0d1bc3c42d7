package io.tidegate.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.config.ConfigLoader;
import io.tidegate.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The status listener: live and ready, with the serving version. */
class StatusTest {
    private static HttpResponse<String> get(TestGateway gw, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + gw.gateway().statusAddress().getPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void liveAndReadyFollowTheServingConfiguration() throws Exception {
        String config = """
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  status: { address: "127.0.0.1:0" }
                routes:
                  - { id: 1, uri: /a, upstream: { nodes: { "127.0.0.1:1": 1 } } }
                """;
        try (TestGateway gw = TestGateway.start(config)) {
            assertEquals("{\"status\":\"live\"}", get(gw, "/status/live").body());
            JsonNode ready = new ObjectMapper().readTree(get(gw, "/status/ready").body());
            assertEquals("ready", ready.get("status").asText());
            assertEquals(1, ready.get("config_version").asInt());
            assertEquals(1, ready.get("routes").asInt());
            gw.gateway().apply(new ConfigLoader().load(TestGateway.write(config.replace("uri: /a", "uri: /b"))).resources());
            assertEquals(2, new ObjectMapper().readTree(get(gw, "/status/ready").body()).get("config_version").asInt());
            assertEquals(404, get(gw, "/status/other").statusCode());
        }
    }
}
