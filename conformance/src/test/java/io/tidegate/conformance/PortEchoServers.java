package io.tidegate.conformance;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The servers traffic-split5.t adds on 127.0.0.1:1970-1974, each answering every request 200 with
 * the port APISIX's test gives it and a newline ({@code ngx.say(1970)}); here on free ports, named
 * in cases as {@code ${FAKE_1970}} ... {@code ${FAKE_1974}}.
 */
final class PortEchoServers implements AutoCloseable {
    private final Map<Integer, HttpServer> servers = new LinkedHashMap<>();

    PortEchoServers(int first, int last) throws IOException {
        for (int port = first; port <= last; port++) {
            byte[] body = (port + "\n").getBytes(StandardCharsets.US_ASCII);
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            servers.put(port, server);
        }
    }

    /** {@code text} with each {@code ${FAKE_<port>}} replaced by that server's address. */
    String substitute(String text) {
        if (!text.contains("${FAKE_")) {
            return text;
        }
        for (Map.Entry<Integer, HttpServer> entry : servers.entrySet()) {
            text = text.replace("${FAKE_" + entry.getKey() + "}", "127.0.0.1:" + entry.getValue().getAddress().getPort());
        }
        return text;
    }

    @Override
    public void close() {
        servers.values().forEach(server -> server.stop(0));
    }
}
