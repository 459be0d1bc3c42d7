package io.tidegate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VariablesTest {
    @Test
    void millisecondsReadAsNginxSecondsWithThreeDecimals() {
        assertEquals("0.000", Variables.millisAsSeconds(0));
        assertEquals("0.007", Variables.millisAsSeconds(7));
        assertEquals("0.042", Variables.millisAsSeconds(42));
        assertEquals("0.100", Variables.millisAsSeconds(100));
        assertEquals("12.345", Variables.millisAsSeconds(12_345));
        assertEquals("1764112997.010", Variables.millisAsSeconds(1_764_112_997_010L));
    }

    @Test
    void uriRequestUriAndHostStayTheClientsAfterARewrite() {
        io.undertow.server.HttpServerExchange exchange = new io.undertow.server.HttpServerExchange(null);
        exchange.setRequestPath("/public/a b");
        exchange.setRequestURI("/public/a%20b");
        exchange.setQueryString("x=1");
        exchange.getRequestHeaders().put(io.undertow.util.Headers.HOST, "api.example.com:8443");
        assertEquals("/public/a%20b?x=1", Variables.resolve("request_uri", exchange));

        ClientRequestView.keep(exchange);  // what proxy-rewrite and pass_host do before they rewrite
        exchange.setRequestPath("/internal/b");
        exchange.setRequestURI("/internal/b");
        exchange.setQueryString("");
        exchange.getRequestHeaders().put(io.undertow.util.Headers.HOST, "backend.local");
        ClientRequestView.keep(exchange);  // a second rewrite keeps the first view
        assertEquals("/public/a b", Variables.resolve("uri", exchange));
        assertEquals("/public/a%20b?x=1", Variables.resolve("request_uri", exchange));
        assertEquals("api.example.com", Variables.resolve("host", exchange));
    }
}
