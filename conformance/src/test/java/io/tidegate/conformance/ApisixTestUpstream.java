package io.tidegate.conformance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The upstream APISIX's tests proxy to (127.0.0.1:1980 there), for the paths the transcribed
 * cases use: {@code /hello} answers "hello world\n", {@code /hello1} "hello1 world\n",
 * {@code /status} "ok\n", {@code /echo} the request's headers as response headers and its body
 * (plus a newline, as APISIX's {@code ngx.say}); any other path 404.
 */
final class ApisixTestUpstream implements AutoCloseable {
    private final HttpServer server;

    private ApisixTestUpstream(HttpServer server) {
        this.server = server;
    }

    static ApisixTestUpstream start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", ApisixTestUpstream::answer);
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
            return new ApisixTestUpstream(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void answer(HttpExchange exchange) throws IOException {
        if (exchange.getRequestURI().getPath().equals("/echo")) {
            echo(exchange);
            return;
        }
        String body = switch (exchange.getRequestURI().getPath()) {
            case "/hello" -> "hello world\n";
            case "/hello1" -> "hello1 world\n";
            case "/status" -> "ok\n";
            default -> null;
        };
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = (body == null ? "not found\n" : body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain");
        exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static void echo(HttpExchange exchange) throws IOException {
        byte[] body = (new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (!lower.equals("content-length") && !lower.equals("transfer-encoding") && !lower.equals("connection")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
