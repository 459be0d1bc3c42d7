package io.tidegate.plugins.limits;

import io.tidegate.testing.TestGateway;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Requests sent to several gateways at once, as concurrent clients of a shared limit would. */
final class Bursts {
    private Bursts() {}

    /** {@code requests} GETs of {@code path}, round-robin over the gateways, 8 in flight at a time. */
    static List<HttpResponse<String>> send(int requests, String path, TestGateway... gateways) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                TestGateway gateway = gateways[i % gateways.length];
                sent.add(clients.submit(() -> gateway.get(path)));
            }
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> response : sent) {
                responses.add(response.get());
            }
            return responses;
        } finally {
            clients.shutdownNow();
        }
    }

    /** How many of the responses have {@code status}. */
    static long count(List<HttpResponse<String>> responses, int status) {
        return responses.stream().filter(r -> r.statusCode() == status).count();
    }

    /** The responses' statuses, for failure messages. */
    static List<Integer> statuses(List<HttpResponse<String>> responses) {
        return responses.stream().map(HttpResponse::statusCode).toList();
    }

    static String header(HttpResponse<String> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** Between requests while Redis fails over: a client retrying, not a flood on two shared cores. */
    static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
