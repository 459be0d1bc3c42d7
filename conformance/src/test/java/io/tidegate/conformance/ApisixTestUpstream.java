package io.tidegate.conformance;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * The upstream APISIX's tests proxy to (127.0.0.1:1980 there, {@code t/lib/server.lua}), for the
 * paths the transcribed cases use. As there, a path names its handler with {@code /} read as
 * {@code _} ({@code /uri/plugin_proxy_rewrite} is {@code uri}'s). Any other path answers 404.
 * <ul>
 *   <li>{@code /hello}, {@code /hello1}, {@code /status}, {@code /opentracing}: fixed bodies;</li>
 *   <li>{@code /server_port[/...]}: the port APISIX's test runs this upstream on (1980, 1981, 1982);</li>
 *   <li>{@code /mysleep?seconds=N[&abort=1]}: answers N after N seconds, or closes without answering;
 *       {@code /server_error}: 500 with nginx's page; {@code /ewma}: the port after 0.1 s (1980) or 0.2 s;</li>
 *   <li>{@code /specific_status}: the status X-Test-Upstream-Status names ({@code upstream status: N}), else an empty 200;</li>
 *   <li>{@code /log}: records the body (APISIX's handler logs it), answers an empty 200;</li>
 *   <li>{@code /echo}: the request's headers as response headers (Content-Type text/plain when
 *       it sent none, as nginx's default_type), its body as the body;</li>
 *   <li>{@code /uri} (and {@code /uri/plugin_proxy_rewrite[_args]}): {@code uri: <path>} then each
 *       request header {@code name: value}, sorted, without the X-Forwarded ones;</li>
 *   <li>{@code /plugin_proxy_rewrite}: uri, host and scheme; {@code /plugin_proxy_rewrite_args}:
 *       uri then each query argument, sorted; {@code /plugin_proxy_rewrite_multi_header}: each header
 *       value on its own line; {@code /print_uri_detailed}: uri and request_uri as nginx names them;</li>
 *   <li>{@code /api_breaker?code=N}: status N (nginx's page for 5xx);</li>
 *   <li>{@code /headers?name=value}: each query argument as a response header, body {@code /headers};</li>
 *   <li>{@code /forward-auth/...}: the auth service forward-auth.t builds ({@link ForwardAuthFixture});</li>
 *   <li>{@code /mock_compressed_upstream_response}: {@code compressed_response} labelled
 *       {@code Content-Encoding: gzip} without being gzip, as server.lua's does.</li>
 * </ul>
 * On every path, a request header {@code resp-NAME: v} comes back as the response header
 * {@code NAME: v} (server.lua's inject_headers). The last {@value #RECEIVED_KEPT} requests are
 * kept as received ({@link #receivedSince}), for the cases that check what a mirrored request
 * looked like where APISIX's read it from the error log.
 */
final class ApisixTestUpstream implements AutoCloseable {
    private static final Set<String> IGNORED_HEADERS = Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
            "x-forwarded-port");

    private static final String NOT_FOUND = errorPage("404 Not Found");
    private static final String SERVER_ERROR = errorPage("500 Internal Server Error");
    /** Enough for any one case's requests; older ones go so that a long run's memory stays flat. */
    static final int RECEIVED_KEPT = 1000;

    private final HttpServer server;
    /** The port APISIX's tests run this upstream on (1980, 1981, 1982): what {@code /server_port} answers. */
    private final int apisixPort;
    /** Bodies POSTed to {@code /log}, oldest first: what APISIX's handler prints as "request log: ...". */
    private final List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The last requests received, rendered ({@link #render}), oldest first; guarded by itself. */
    private final Deque<String> received = new ArrayDeque<>();
    /** How many requests were ever received: a mark stays valid while old ones are dropped. Guarded by {@link #received}. */
    private long receivedTotal;

    private ApisixTestUpstream(HttpServer server, int apisixPort) {
        this.server = server;
        this.apisixPort = apisixPort;
    }

    /** @param apisixPort the port this upstream stands in for in APISIX's tests (1980 for the main one) */
    static ApisixTestUpstream start(int apisixPort) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ApisixTestUpstream upstream = new ApisixTestUpstream(server, apisixPort);
            server.createContext("/", upstream::answer);
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
            return upstream;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many bodies {@code /log} has received so far. */
    int loggedCount() {
        return logged.size();
    }

    /** The bodies {@code /log} received after the first {@code count}, oldest first. */
    List<String> loggedSince(int count) {
        return List.copyOf(logged.subList(Math.min(count, logged.size()), logged.size()));
    }

    /** A mark for {@link #receivedSince}: how many requests have been received so far. */
    long receivedMark() {
        synchronized (received) {
            return receivedTotal;
        }
    }

    /**
     * The requests received since {@code mark} ({@link #receivedMark}), oldest first, rendered as
     * {@link #render} does; those dropped to keep only the last {@value #RECEIVED_KEPT} are missing.
     */
    List<String> receivedSince(long mark) {
        synchronized (received) {
            long wanted = Math.min(receivedTotal - mark, received.size());
            List<String> all = List.copyOf(received);
            return wanted <= 0 ? List.of() : all.subList(all.size() - (int) wanted, all.size());
        }
    }

    private void record(HttpExchange exchange) {
        String rendered = render(exchange);
        synchronized (received) {
            received.addLast(rendered);
            receivedTotal++;
            if (received.size() > RECEIVED_KEPT) {
                received.removeFirst();
            }
        }
    }

    /**
     * A request as a case matches it: {@code method: GET}, {@code upstream_http_version: 1.1},
     * each header {@code name: value} by lower-case name, sorted (repeats joined with ", "), then
     * {@code uri: <path and query as received>}, each on its own line: the lines proxy-mirror.t's
     * mirror target (on 1986 there) writes to the error log, which its cases grep, plus the method.
     */
    private static String render(HttpExchange exchange) {
        StringBuilder out = new StringBuilder();
        String protocol = exchange.getProtocol();
        out.append("method: ").append(exchange.getRequestMethod()).append('\n');
        out.append("upstream_http_version: ").append(protocol.startsWith("HTTP/") ? protocol.substring(5) : protocol).append('\n');
        Map<String, List<String>> sorted = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                sorted.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
        out.append(lines(sorted, ", "));
        // the URI as the request line had it: URI.toString() gives back the text it was parsed from
        out.append("uri: ").append(exchange.getRequestURI()).append('\n');
        return out.toString();
    }

    private void answer(HttpExchange exchange) throws IOException {
        record(exchange);
        byte[] requestBody = exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getPath();
        String handler = path.length() > 1 ? path.substring(1).replace('/', '_') : "";
        if (handler.equals("log")) {
            logged.add(new String(requestBody, StandardCharsets.UTF_8));
        }
        // server.lua's inject_headers: a request header resp-NAME becomes the response header NAME
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (name.toLowerCase(Locale.ROOT).startsWith("resp-") && name.length() > 5) {
                exchange.getResponseHeaders().put(name.substring(5), values);
            }
        });
        if (handler.equals("server_port") || handler.startsWith("server_port_")) {
            handler = "server_port";
        }
        if (handler.equals("mysleep")) {
            String seconds = query(exchange, "seconds");
            sleep(seconds);
            if (query(exchange, "abort") != null) {
                exchange.close();  // no answer at all: nginx's ngx.exit(ngx.ERROR)
                return;
            }
        }
        if (handler.equals("ewma")) {
            // server.lua's: the slower port answers later, which ewma learns
            sleep(apisixPort == 1980 ? "0.1" : "0.2");
            send(exchange, 200, Integer.toString(apisixPort), "text/plain");
            return;
        }
        if (handler.startsWith("forward-auth_")) {
            ForwardAuthFixture.answer(exchange, handler.substring("forward-auth_".length()), requestBody);
            return;
        }
        if (handler.equals("api_breaker")) {
            // server.lua's: ngx.exit(code), so nginx's own page for an error status
            int code = Integer.parseInt(query(exchange, "code"));
            String reason = switch (code) {
                case 500 -> "500 Internal Server Error";
                case 502 -> "502 Bad Gateway";
                case 503 -> "503 Service Temporarily Unavailable";
                case 504 -> "504 Gateway Time-out";
                default -> null;
            };
            send(exchange, code, code >= 300 && reason != null ? errorPage(reason) : "", code >= 300 ? "text/html" : "text/plain");
            return;
        }
        if (handler.equals("specific_status")) {
            // server.lua's: the status X-Test-Upstream-Status names, with "upstream status: N", else an empty 200
            String status = exchange.getRequestHeaders().getFirst("X-Test-Upstream-Status");
            send(exchange, status == null ? 200 : Integer.parseInt(status), status == null ? "" : "upstream status: " + status + "\n", "text/plain");
            return;
        }
        if (handler.equals("server_error")) {
            send(exchange, 500, SERVER_ERROR, "text/html");
            return;
        }
        String body = switch (handler) {
            case "hello" -> "hello world\n";
            case "hello1" -> "hello1 world\n";
            case "status" -> "ok\n";
            case "opentracing" -> "opentracing\n";
            case "mock_compressed_upstream_response" -> {
                exchange.getResponseHeaders().set("Content-Encoding", "gzip");
                yield "compressed_response\n";
            }
            case "headers" -> {
                args(exchange).forEach((name, values) -> exchange.getResponseHeaders().put(name, values));
                yield "/headers\n";
            }
            case "log" -> "";
            case "server_port" -> Integer.toString(apisixPort);
            case "mysleep" -> query(exchange, "seconds") + "\n";
            case "echo" -> {
                exchange.getRequestHeaders().forEach((name, values) -> {
                    String lower = name.toLowerCase(Locale.ROOT);
                    if (!lower.equals("content-length") && !lower.equals("transfer-encoding") && !lower.equals("connection")) {
                        exchange.getResponseHeaders().put(name, values);
                    }
                });
                yield new String(requestBody, StandardCharsets.UTF_8);
            }
            case "uri", "uri_plugin_proxy_rewrite", "uri_plugin_proxy_rewrite_args" ->
                    "uri: " + path + "\n" + lines(headers(exchange), ", ");
            case "plugin_proxy_rewrite" -> "uri: " + path + "\nhost: " + host(exchange) + "\nscheme: http\n";
            case "plugin_proxy_rewrite_args" -> "uri: " + path + "\n" + lines(args(exchange), ",");
            case "plugin_proxy_rewrite_multi_header" -> eachValue(headers(exchange));
            case "print_uri_detailed" -> "ngx.var.uri: " + path + "\nngx.var.request_uri: " + exchange.getRequestURI().getRawPath()
                    + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()) + "\n";
            default -> null;
        };
        if (body == null) {
            send(exchange, 404, NOT_FOUND, "text/html");
        } else if (handler.equals("echo")) {
            // the request's Content-Type, else nginx's default_type in APISIX's test server
            send(exchange, 200, body, exchange.getResponseHeaders().containsKey("Content-Type") ? null : "text/plain");
        } else {
            send(exchange, 200, body, "text/plain");
        }
    }

    private static void send(HttpExchange exchange, int status, String body, String contentType) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** nginx's own page for an error status, as openresty words it (also {@link CacheTestServer}'s). */
    static String errorPage(String status) {
        return "<html>\n<head><title>" + status + "</title></head>\n<body>\n<center><h1>" + status
                + "</h1></center>\n<hr><center>openresty</center>\n</body>\n</html>\n";
    }

    private static String query(HttpExchange exchange, String name) {
        List<String> values = args(exchange).get(name);
        return values == null ? null : values.get(0);
    }

    private static void sleep(String seconds) {
        try {
            Thread.sleep(Math.round(Double.parseDouble(seconds) * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Request headers by lower-case name, sorted, without those APISIX's test server leaves out. */
    private static Map<String, List<String>> headers(HttpExchange exchange) {
        Map<String, List<String>> sorted = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!IGNORED_HEADERS.contains(lower)) {
                sorted.computeIfAbsent(lower, k -> new ArrayList<>()).addAll(values);
            }
        });
        return sorted;
    }

    private static Map<String, List<String>> args(HttpExchange exchange) {
        Map<String, List<String>> sorted = new TreeMap<>();
        String query = exchange.getRequestURI().getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                sorted.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
        }
        return sorted;
    }

    private static String lines(Map<String, List<String>> values, String joiner) {
        StringBuilder out = new StringBuilder();
        values.forEach((name, list) -> out.append(name).append(": ").append(String.join(joiner, list)).append('\n'));
        return out.toString();
    }

    private static String eachValue(Map<String, List<String>> values) {
        StringBuilder out = new StringBuilder();
        values.forEach((name, list) -> list.forEach(v -> out.append(name).append(": ").append(v).append('\n')));
        return out.toString();
    }

    private static String host(HttpExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst("Host");
        if (host == null) {
            return "";
        }
        int colon = host.startsWith("[") ? host.indexOf("]:") + 1 : host.lastIndexOf(':');
        return (colon > 0 ? host.substring(0, colon) : host).toLowerCase(Locale.ROOT);
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
