package io.tidegate.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import java.net.InetSocketAddress;
import java.util.Deque;

/**
 * APISIX (nginx) variables over an Undertow exchange: {@code uri}, {@code request_uri}, {@code host},
 * {@code remote_addr}, {@code remote_port}, {@code server_addr}, {@code server_port},
 * {@code request_method}, {@code scheme}, {@code query_string}/{@code args}, {@code arg_NAME},
 * {@code http_NAME} (dashes written as underscores, any case), {@code cookie_NAME}, {@code hostname}.
 * An unknown variable or an absent value is null.
 */
public final class Variables {
    private Variables() {}

    public static String resolve(String name, HttpServerExchange exchange) {
        if (name.startsWith("arg_")) {
            Deque<String> values = exchange.getQueryParameters().get(name.substring(4));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }
        if (name.startsWith("http_")) {
            HeaderValues values = exchange.getRequestHeaders().get(name.substring(5).replace('_', '-'));
            if (values == null || values.isEmpty()) {
                return null;
            }
            return values.size() == 1 ? values.getFirst() : String.join(", ", values);
        }
        if (name.startsWith("cookie_")) {
            return RequestCookies.value(exchange.getRequestHeaders().get(io.undertow.util.Headers.COOKIE), name.substring(7));
        }
        return switch (name) {
            case "status" -> Integer.toString(exchange.getStatusCode());
            case "bytes_sent", "body_bytes_sent" -> Long.toString(exchange.getResponseBytesSent());
            case "request_length" -> exchange.getRequestContentLength() < 0 ? null : Long.toString(exchange.getRequestContentLength());
            case "request_time" -> clock(exchange) == null ? null : seconds(System.nanoTime() - clock(exchange).startNanos());
            case "upstream_response_time" -> clock(exchange) == null || clock(exchange).upstreamNanos() < 0 ? null
                    : seconds(clock(exchange).upstreamNanos());
            case "upstream_addr" -> exchange.getAttachment(ExchangeFacts.NODE_ADDRESS);
            case "upstream_status" -> clock(exchange) == null || clock(exchange).upstreamStatus() == 0 ? null
                    : Integer.toString(clock(exchange).upstreamStatus());
            case "route_id" -> exchange.getAttachment(ExchangeFacts.ROUTE_ID);
            case "service_id" -> exchange.getAttachment(ExchangeFacts.SERVICE_ID);
            case "consumer_name" -> exchange.getAttachment(ExchangeFacts.CONSUMER);
            case "msec" -> clock(exchange) == null ? null : msec(clock(exchange).startMillis());
            case "time_iso8601" -> clock(exchange) == null ? null : java.time.Instant.ofEpochMilli(clock(exchange).startMillis()).toString();
            case "uri", "request_uri", "host" -> clientRequest(name, exchange);
            case "remote_addr" -> address(exchange.getSourceAddress());
            case "remote_port" -> port(exchange.getSourceAddress());
            case "realip_remote_addr" -> address(exchange.getConnection().getPeerAddress(InetSocketAddress.class));
            case "realip_remote_port" -> port(exchange.getConnection().getPeerAddress(InetSocketAddress.class));
            case "server_addr" -> address(exchange.getDestinationAddress());
            case "server_port" -> port(exchange.getDestinationAddress());
            case "request_method" -> exchange.getRequestMethod().toString();
            case "server_protocol" -> exchange.getProtocol().toString();
            case "scheme" -> exchange.getRequestScheme();
            case "hostname", "server_name" -> Host.NAME;  // nginx's: this machine's name (APISIX's server block names none)
            case "query_string", "args" -> exchange.getQueryString().isEmpty() ? null : exchange.getQueryString();
            default -> null;
        };
    }

    /** {@code $uri}, {@code $request_uri}, {@code $host}: as the client sent them, even after a rewrite. */
    private static String clientRequest(String name, HttpServerExchange exchange) {
        ClientRequestView view = ClientRequestView.of(exchange);
        return switch (name) {
            case "uri" -> view != null ? view.path() : exchange.getRequestPath();
            case "request_uri" -> view != null ? view.requestUri() : ClientRequestView.requestUri(exchange);
            default -> view != null ? view.host() : ExchangeRequest.hostOf(exchange.getRequestHeaders().getFirst(io.undertow.util.Headers.HOST));
        };
    }

    private static ExchangeClock clock(HttpServerExchange exchange) {
        return ExchangeClock.of(exchange);
    }

    /** nginx's seconds with millisecond resolution ("0.012"). */
    private static String seconds(long nanos) {
        return millisAsSeconds(Math.round(Math.max(0, nanos) / 1e6));
    }

    private static String msec(long millis) {
        return millisAsSeconds(millis);
    }

    /** "12.345" for 12345: by hand, since String.format builds its number symbols on every call and these run per request. */
    static String millisAsSeconds(long millis) {
        long fraction = millis % 1000;
        StringBuilder text = new StringBuilder(24).append(millis / 1000).append('.');
        if (fraction < 100) {
            text.append(fraction < 10 ? "00" : "0");
        }
        return text.append(fraction).toString();
    }

    private static String address(InetSocketAddress address) {
        return address == null || address.getAddress() == null ? null : address.getAddress().getHostAddress();
    }

    private static String port(InetSocketAddress address) {
        return address == null ? null : Integer.toString(address.getPort());
    }

    /** Looked up once, on first use only: it may take a name lookup. */
    private static final class Host {
        static final String NAME = lookUp();

        private static String lookUp() {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env;
            }
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return "localhost";
            }
        }
    }
}
