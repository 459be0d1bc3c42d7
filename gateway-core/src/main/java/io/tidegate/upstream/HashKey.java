package io.tidegate.upstream;

import io.tidegate.http.VarTemplate;
import java.util.Locale;
import java.util.function.Function;

/**
 * The consistent-hash key of a request, from the upstream's {@code hash_on} and {@code key}
 * (APISIX): a variable, a header, a cookie, the consumer, or a combination of variables such as
 * {@code "$remote_addr$http_x_user"}. Read through the request's variables ({@code http_NAME},
 * {@code cookie_NAME}, {@code consumer_name}, ...), so it needs no server types. An empty key falls
 * back to the client address, as APISIX does.
 */
@FunctionalInterface
public interface HashKey {
    String raw(Function<String, String> vars);

    default String of(Function<String, String> vars) {
        String key = raw(vars);
        return key == null || key.isEmpty() ? vars.apply("remote_addr") : key;
    }

    static HashKey compile(String hashOn, String key) {
        return switch (hashOn) {
            case "header" -> {
                String variable = "http_" + key.toLowerCase(Locale.ROOT).replace('-', '_');
                yield vars -> vars.apply(variable);
            }
            case "cookie" -> {
                String variable = "cookie_" + key;
                yield vars -> vars.apply(variable);
            }
            case "consumer" -> vars -> vars.apply("consumer_name");
            case "vars_combinations" -> VarTemplate.compile(key)::render;
            default -> vars -> vars.apply(key);
        };
    }
}
