package io.tidegate.plugins.jwtauth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the token (header, then query, then cookie; a {@code Bearer } prefix is stripped), reads
 * the consumer key from it, and verifies it with that consumer's verifier. The client only learns
 * which of APISIX's fixed reasons applies, with {@code WWW-Authenticate: Bearer realm="..."}; the
 * detail goes to the log.
 */
final class JwtAuthInstance implements PluginInstance {
    private final String header;
    private final String query;
    private final String cookie;
    private final String keyClaim;
    private final boolean hideCredentials;
    private final String anonymous;
    private final Map<String, String> challenge;
    private final PluginLog log;
    private final Map<String, ConsumerVerifier> byKey;
    private final VerifiedTokens verified = new VerifiedTokens();

    JwtAuthInstance(JwtAuthPlugin.Settings settings, PluginLog log, Map<String, ConsumerVerifier> byKey) {
        this.header = settings.header();
        this.query = settings.query();
        this.cookie = settings.cookie();
        this.keyClaim = settings.keyClaimName();
        this.hideCredentials = settings.hideCredentials();
        this.anonymous = settings.anonymousConsumer();
        // the schema's pattern keeps quotes and backslashes out of the realm
        this.challenge = Map.of("Content-Type", "application/json", "WWW-Authenticate", "Bearer realm=\"" + settings.realm() + "\"");
        this.log = log;
        this.byKey = byKey;
    }

    private PhaseResult unauthorized(String message) {
        return PhaseResult.respond(401, challenge, ("{\"message\":\"" + message + "\"}\n").getBytes(StandardCharsets.UTF_8));
    }

    private enum Source { HEADER, QUERY, COOKIE }

    @Override
    public PhaseResult rewrite(PluginContext context) {
        Source source = Source.HEADER;
        String token = context.request().header(header);
        if (token == null) {
            source = Source.QUERY;
            token = context.request().queryArg(query);
        }
        if (token == null) {
            source = Source.COOKIE;
            token = context.var("cookie_" + cookie);
        }
        if (token == null) {
            return anonymousOr(context, null, "Missing JWT token in request");
        }
        if (token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = token.substring(7).trim();
        }
        if (token.isEmpty()) {
            return anonymousOr(context, source, "Missing JWT token in request");
        }
        VerifiedTokens.Verified known = verified.get(token);
        if (known != null && known.validAt(System.currentTimeMillis())) {
            return accept(context, known.consumer(), source);
        }
        DecodedJWT jwt;
        try {
            jwt = JWT.decode(token);
        } catch (JWTDecodeException e) {
            return anonymousOr(context, source, "JWT token invalid");
        }
        Claim key = jwt.getClaim(keyClaim);
        if (key.isMissing() || key.isNull() || key.asString() == null) {
            return anonymousOr(context, source, "missing user key in JWT token");
        }
        ConsumerVerifier consumer = byKey.get(key.asString());
        if (consumer == null) {
            return anonymousOr(context, source, "Invalid user key in JWT token");
        }
        try {
            consumer.verifier().verify(jwt);
        } catch (JWTVerificationException e) {
            log.warn("token for consumer {} rejected on route {}: {}", consumer.username(), context.routeId(), e.getMessage());
            return anonymousOr(context, source, "failed to verify jwt");
        }
        verified.put(token, consumer.window(jwt));
        return accept(context, consumer, source);
    }

    private PhaseResult accept(PluginContext context, ConsumerVerifier consumer, Source source) {
        if (!context.authenticate(consumer.username())) {
            return unauthorized("Invalid user key in JWT token");
        }
        if (hideCredentials) {
            hide(context, source);
        }
        return PhaseResult.proceed();
    }

    /**
     * APISIX's anonymous_consumer: a request that fails authentication proceeds as that consumer,
     * without the token it sent ({@code source}; null when none) when credentials are hidden.
     */
    private PhaseResult anonymousOr(PluginContext context, Source source, String message) {
        if (anonymous == null || !context.authenticate(anonymous)) {
            return unauthorized(message);
        }
        if (hideCredentials && source != null) {
            hide(context, source);
        }
        return PhaseResult.proceed();
    }

    private void hide(PluginContext context, Source source) {
        PluginContext.UpstreamRequest upstream = context.upstreamRequest();
        switch (source) {
            case HEADER -> upstream.removeHeader(header);
            case QUERY -> upstream.setQuery(without(upstream.query(), query, "&", true));
            case COOKIE -> {
                String cookies = without(upstream.header("Cookie"), cookie, ";", false);
                if (cookies.isEmpty()) {
                    upstream.removeHeader("Cookie");
                } else {
                    upstream.setHeader("Cookie", cookies);
                }
            }
        }
    }

    /** A query string or Cookie header without one name's entries; the rest exactly as sent. */
    static String without(String list, String name, String separator, boolean urlEncoded) {
        if (list == null || list.isEmpty()) {
            return "";
        }
        List<String> kept = new ArrayList<>();
        for (String part : list.split(separator)) {
            String trimmed = part.trim();
            int eq = trimmed.indexOf('=');
            String rawName = eq < 0 ? trimmed : trimmed.substring(0, eq);
            String decoded = urlEncoded ? URLDecoder.decode(rawName, StandardCharsets.UTF_8) : rawName;
            if (!decoded.equals(name)) {
                kept.add(urlEncoded ? part : trimmed);
            }
        }
        return String.join(urlEncoded ? "&" : "; ", kept);
    }
}
