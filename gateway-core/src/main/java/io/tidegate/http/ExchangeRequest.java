package io.tidegate.http;

import io.tidegate.route.MatchRequest;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;

/** An Undertow exchange seen as the router and APISIX variables see a request. */
public final class ExchangeRequest implements MatchRequest {
    private final HttpServerExchange exchange;
    private String host;

    public ExchangeRequest(HttpServerExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public String host() {
        if (host == null) {
            host = hostOf(exchange.getRequestHeaders().getFirst(Headers.HOST));
        }
        return host;
    }

    /** Lower-case host without port; IPv6 keeps its brackets ({@code [::1]}). */
    public static String hostOf(String header) {
        if (header == null || header.isEmpty()) {
            return "";
        }
        int end;
        if (header.charAt(0) == '[') {
            end = header.indexOf(']') + 1;
            end = end <= 0 ? header.length() : end;
        } else {
            int colon = header.indexOf(':');
            end = colon < 0 ? header.length() : colon;
        }
        return header.substring(0, end).toLowerCase(Locale.ROOT);
    }

    @Override
    public String path() {
        return exchange.getRequestPath();
    }

    @Override
    public String method() {
        return exchange.getRequestMethod().toString();
    }

    @Override
    public InetAddress clientAddress() {
        InetSocketAddress source = exchange.getSourceAddress();
        return source == null ? null : source.getAddress();
    }

    @Override
    public String variable(String name) {
        return "host".equals(name) ? host() : Variables.resolve(name, exchange);
    }
}
