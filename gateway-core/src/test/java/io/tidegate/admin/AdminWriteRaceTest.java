package io.tidegate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.EtcdKeySpace;
import io.tidegate.testing.EtcdServer;
import io.tidegate.testing.TestGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Admin writes racing each other on two gateway nodes that share one real etcd: whatever the
 * interleaving, what etcd holds afterwards is consistent, and every answer tells the truth about it.
 */
class AdminWriteRaceTest {
    private static final String KEY = "test-admin-key";
    private static final int TRIES = 100;
    private static final int PATCH_TRIES = 25;
    @RegisterExtension
    static final EtcdServer etcd = new EtcdServer();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @RegisterExtension
    final EtcdKeySpace keys = new EtcdKeySpace(etcd);

    private TestGateway a;
    private TestGateway b;
    private final ExecutorService racers = Executors.newFixedThreadPool(2);

    @BeforeEach
    void twoNodes() {
        a = node();
        b = node();
    }

    @AfterEach
    void stopNodes() {
        racers.shutdownNow();
        a.close();
        b.close();
    }

    private TestGateway node() {
        return TestGateway.start("""
                tidegate:
                  listeners: [{ address: "127.0.0.1:0" }]
                  etcd: { endpoints: ["%s"], prefix: %s, timeout: 2 }
                  admin: { address: "127.0.0.1:0", api_key: %s }
                """.formatted(etcd.endpoint(), keys.prefix(), KEY));
    }

    private static HttpResponse<String> admin(TestGateway node, String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.gateway().adminAddress().getPort()
                        + "/apisix/admin" + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("X-API-KEY", KEY).build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Runs both calls at the same instant, one per thread, and returns both answers. */
    private List<HttpResponse<String>> race(Callable<HttpResponse<String>> one, Callable<HttpResponse<String>> other) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<HttpResponse<String>>> running = new ArrayList<>();
        for (Callable<HttpResponse<String>> call : List.of(one, other)) {
            running.add(racers.submit(() -> {
                start.await(5, TimeUnit.SECONDS);
                return call.call();
            }));
        }
        return List.of(running.get(0).get(20, TimeUnit.SECONDS), running.get(1).get(20, TimeUnit.SECONDS));
    }

    @Test
    void aRoutePutRacingADeleteOfItsUpstreamNeverLeavesTheRouteDangling() throws Exception {
        int routeWon = 0;
        int deleteWon = 0;
        List<String> inconsistent = new ArrayList<>();
        for (int i = 0; i < TRIES; i++) {
            String upstreamId = "u" + i;
            String routeId = "r" + i;
            assertEquals(201, admin(a, "PUT", "/upstreams/" + upstreamId, "{\"nodes\":{\"127.0.0.1:1980\":1}}").statusCode());
            List<HttpResponse<String>> answers = race(
                    () -> admin(a, "PUT", "/routes/" + routeId, "{\"uri\":\"/" + routeId + "\",\"upstream_id\":\"" + upstreamId + "\"}"),
                    () -> admin(b, "DELETE", "/upstreams/" + upstreamId, null));
            HttpResponse<String> put = answers.get(0);
            HttpResponse<String> delete = answers.get(1);

            boolean routeStored = keys.store().get(keys.prefix() + "/routes/" + routeId) != null;
            boolean upstreamStored = keys.store().get(keys.prefix() + "/upstreams/" + upstreamId) != null;
            if (routeStored && !upstreamStored) {
                inconsistent.add("try " + i + ": route " + routeId + " stored, its upstream gone (PUT " + put.statusCode()
                        + ", DELETE " + delete.statusCode() + ")");
                continue;
            }
            if (put.statusCode() == 201) {
                routeWon++;
                assertTrue(routeStored && upstreamStored, "try " + i);
                assertEquals(400, delete.statusCode(), "try " + i + ": the route was created first: " + delete.body());
                assertEquals("can not delete this upstream, route [" + routeId + "] is still using it now",
                        TestGateway.json(delete).get("error_msg").asText());
            } else {
                deleteWon++;
                assertTrue(!routeStored && !upstreamStored, "try " + i);
                assertEquals(200, delete.statusCode(), "try " + i + ": " + delete.body());
                assertEquals(400, put.statusCode(), "try " + i + ": the upstream was deleted first: " + put.body());
                assertEquals("upstream_id: upstream \"" + upstreamId + "\" does not exist",
                        TestGateway.json(put).get("error_msg").asText());
            }
        }
        System.out.printf("route PUT racing upstream DELETE, %d tries: route first %d, delete first %d, both (dangling) %d%n",
                TRIES, routeWon, deleteWon, inconsistent.size());
        assertEquals(0, inconsistent.size(), "first of them: " + inconsistent.subList(0, Math.min(3, inconsistent.size())));
    }

    @Test
    void concurrentPatchesOfOneRouteBothLand() throws Exception {
        assertEquals(201, admin(a, "PUT", "/upstreams/u", "{\"nodes\":{\"127.0.0.1:1980\":1}}").statusCode());
        assertEquals(201, admin(a, "PUT", "/routes/1", "{\"uri\":\"/one\",\"upstream_id\":\"u\"}").statusCode());
        List<String> lost = new ArrayList<>();
        for (int i = 0; i < PATCH_TRIES; i++) {
            String name = "n" + i;
            String desc = "d" + i;
            List<HttpResponse<String>> answers = race(
                    () -> admin(a, "PATCH", "/routes/1", "{\"name\":\"" + name + "\"}"),
                    () -> admin(b, "PATCH", "/routes/1/desc", "\"" + desc + "\""));
            assertEquals(200, answers.get(0).statusCode(), answers.get(0).body());
            assertEquals(200, answers.get(1).statusCode(), answers.get(1).body());
            JsonNode stored = TestGateway.json(admin(a, "GET", "/routes/1", null)).get("value");
            if (!stored.path("name").asText().equals(name) || !stored.path("desc").asText().equals(desc)) {
                lost.add("try " + i + ": " + stored);
            }
        }
        System.out.printf("concurrent PATCHes of one route, %d tries: %d lost a write%n", PATCH_TRIES, lost.size());
        assertEquals(0, lost.size(), "first of them: " + lost.subList(0, Math.min(3, lost.size())));
    }
}
