package io.tidegate.plugins.browser;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** One csrf configuration: checks unsafe requests in access, sets a fresh token on every response. */
final class CsrfInstance implements PluginInstance {
    /** nginx's cookie_time: {@code Thu, 18-Nov-10 11:27:35 GMT}. */
    private static final DateTimeFormatter COOKIE_TIME =
            DateTimeFormatter.ofPattern("EEE, dd-MMM-yy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final String name;
    private final CsrfTokens tokens;
    private final PhaseResult noHeader = refusal("no csrf token in headers");
    private final PhaseResult noCookie = refusal("no csrf cookie");
    private final PhaseResult mismatch = refusal("csrf token mismatch");
    private final PhaseResult badSignature = refusal("Failed to verify the csrf token signature");

    CsrfInstance(String name, CsrfTokens tokens) {
        this.name = name;
        this.tokens = tokens;
    }

    private static PhaseResult refusal(String message) {
        return PhaseResult.respondMessage(401, "error_msg", message);
    }

    @Override
    public PhaseResult access(PluginContext context) {
        String method = context.request().method();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return PhaseResult.proceed();
        }
        String header = context.request().header(name);
        if (header == null || header.isEmpty()) {
            return noHeader;
        }
        String cookie = context.var("cookie_" + name);
        if (cookie == null) {
            return noCookie;
        }
        if (!header.equals(cookie)) {
            return mismatch;
        }
        return tokens.valid(cookie) ? PhaseResult.proceed() : badSignature;
    }

    @Override
    public void headerFilter(PluginContext context) {
        String expiry = COOKIE_TIME.format(Instant.ofEpochSecond(tokens.now() + tokens.expiresSeconds()));
        context.response().addHeader("Set-Cookie", name + "=" + tokens.mint() + ";path=/;SameSite=Lax;Expires=" + expiry);
    }
}
