package io.tidegate.conformance;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;

/**
 * The server proxy-cache's tests (memory.t, disk.t) add on 127.0.0.1:1986, the origin whose
 * answers the cache keeps; here on a free port, named in cases as {@code ${UPSTREAM_1986}} (its
 * port alone {@code ${UPSTREAM_PORT_1986}}).
 * <ul>
 *   <li>{@code /profile}: {@code user=<cookie session or anonymous>}, refreshing the cookie;</li>
 *   <li>{@code /me-cacheable}, {@code /vary-star} ({@code Vary: *}): a body that differs on
 *       every answer, so that a cached one shows;</li>
 *   <li>{@code /vary-encoding}, {@code /vary-multi}, {@code /vary-ttl[?maxage=N]}: the request
 *       headers they {@code Vary} on, in the body;</li>
 *   <li>{@code /hello-not-found...}: 404, {@code /server-error}: 500, nginx's pages;</li>
 *   <li>any other path: {@code hello world!} with nginx's {@code expires 60s}; {@code ?expires=T}
 *       sends {@code Expires: T} instead, {@code ?cc=V} no {@code Expires} and {@code Cache-Control: V}.</li>
 * </ul>
 * Any method is answered; HEAD gets the same headers without the body, as nginx sends them.
 */
final class CacheTestServer implements AutoCloseable {
    private static final String NOT_FOUND = ApisixTestUpstream.errorPage("404 Not Found");
    private static final String SERVER_ERROR = ApisixTestUpstream.errorPage("500 Internal Server Error");
    /** HTTP's date format; RFC_1123_DATE_TIME would write day 1 as "1", where HTTP wants "01". */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US);

    private final HttpServer server;

    private CacheTestServer(HttpServer server) {
        this.server = server;
    }

    static CacheTestServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", CacheTestServer::answer);
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
            return new CacheTestServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void answer(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        Headers in = exchange.getRequestHeaders();
        Headers out = exchange.getResponseHeaders();
        String encoding = orNone(in.getFirst("Accept-Encoding"));
        switch (path) {
            case "/profile" -> {
                String session = cookie(in, "session");
                session = session == null ? "anonymous" : session;
                out.set("Set-Cookie", "session=" + session + "-refreshed; Path=/");
                send(exchange, 200, "user=" + session + "\n", "text/plain");
            }
            case "/me-cacheable" -> send(exchange, 200, "hit-id=" + System.nanoTime() + "\n", "text/plain");
            case "/vary-encoding" -> {
                out.set("Vary", "Accept-Encoding");
                send(exchange, 200, "encoding=" + encoding + "\n", "text/plain");
            }
            case "/vary-multi" -> {
                out.set("Vary", "Accept-Encoding, Accept-Language");
                send(exchange, 200, "enc=" + encoding + ";lang=" + orNone(in.getFirst("Accept-Language")) + "\n", "text/plain");
            }
            case "/vary-star" -> {
                out.set("Vary", "*");
                send(exchange, 200, "starred=" + System.nanoTime() + "\n", "text/plain");
            }
            case "/vary-ttl" -> {
                String maxAge = query(exchange, "maxage");
                out.set("Vary", "Accept-Encoding");
                out.set("Cache-Control", "max-age=" + (maxAge == null ? "60" : maxAge));
                send(exchange, 200, "ttl-enc=" + encoding + "\n", "text/plain");
            }
            case "/server-error" -> send(exchange, 500, SERVER_ERROR, "text/html");
            default -> {
                if (path.startsWith("/hello-not-found")) {
                    send(exchange, 404, NOT_FOUND, "text/html");
                    return;
                }
                // nginx's "expires 60s", which ?expires= replaces and ?cc= turns off for add_header Cache-Control
                String cc = query(exchange, "cc");
                String expires = query(exchange, "expires");
                if (cc != null) {
                    out.set("Cache-Control", cc);
                } else {
                    out.set("Expires", expires != null ? expires : HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60)));
                    out.set("Cache-Control", "max-age=60");
                }
                send(exchange, 200, "hello world!", "text/plain");
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (exchange.getRequestMethod().equalsIgnoreCase("HEAD")) {
            // the JDK server wants a HEAD answer's length set by hand, and sends no body for it
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(status, -1);
        } else {
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static String orNone(String value) {
        return value == null ? "none" : value;
    }

    /** The cookie's value as nginx's {@code $cookie_NAME} gives it, or null. */
    private static String cookie(Headers headers, String name) {
        for (String header : headers.getOrDefault("Cookie", List.of())) {
            for (String pair : header.split(";")) {
                String trimmed = pair.trim();
                if (trimmed.startsWith(name + "=")) {
                    return trimmed.substring(name.length() + 1);
                }
            }
        }
        return null;
    }

    /** A query argument, URL-decoded; empty counts as absent, as nginx's {@code if ($arg_x)} has it. */
    private static String query(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name) && eq < pair.length() - 1) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    int port() {
        return server.getAddress().getPort();
    }

    String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
