package io.tidegate.upstream;

import io.tidegate.http.Variables;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The consistent-hash key of a request, from the upstream's {@code hash_on} and {@code key}
 * (APISIX): a variable, a header, a cookie, the consumer, or a combination of variables such as
 * {@code "$remote_addr$http_x_user"}. An empty key falls back to the client address, as APISIX does.
 */
@FunctionalInterface
public interface HashKey {
    String raw(HttpServerExchange exchange);

    default String of(HttpServerExchange exchange) {
        String key = raw(exchange);
        return key == null || key.isEmpty() ? Variables.resolve("remote_addr", exchange) : key;
    }

    static HashKey compile(String hashOn, String key) {
        return switch (hashOn) {
            case "header" -> exchange -> exchange.getRequestHeaders().getFirst(key);
            case "cookie" -> exchange -> {
                Cookie cookie = exchange.getRequestCookie(key);
                return cookie == null ? null : cookie.getValue();
            };
            case "consumer" -> exchange -> exchange.getAttachment(io.tidegate.http.ExchangeFacts.CONSUMER);
            case "vars_combinations" -> combination(key);
            default -> exchange -> Variables.resolve(key, exchange);
        };
    }

    private static HashKey combination(String template) {
        Matcher m = Pattern.compile("\\$([A-Za-z0-9_]+)").matcher(template);
        List<String> literals = new ArrayList<>();
        List<String> vars = new ArrayList<>();
        int last = 0;
        while (m.find()) {
            literals.add(template.substring(last, m.start()));
            vars.add(m.group(1));
            last = m.end();
        }
        String tail = template.substring(last);
        return exchange -> {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < vars.size(); i++) {
                out.append(literals.get(i));
                String value = Variables.resolve(vars.get(i), exchange);
                if (value != null) {
                    out.append(value);
                }
            }
            return out.append(tail).toString();
        };
    }
}
