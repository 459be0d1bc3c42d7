package io.tidegate.plugins.jwtauth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the token (header, then query, then cookie; a {@code Bearer } prefix is stripped), reads
 * the consumer key from it, and verifies it with that consumer's verifier. The client only learns
 * which of APISIX's fixed reasons applies; the detail goes to the log.
 */
final class JwtAuthInstance implements PluginInstance {
    private static final Logger log = LoggerFactory.getLogger(JwtAuthInstance.class);
    private static final Map<String, String> CHALLENGE = Map.of(
            "Content-Type", "application/json", "WWW-Authenticate", "Bearer realm=\"jwt\"");

    private final String header;
    private final String query;
    private final String cookie;
    private final String keyClaim;
    private final boolean hideCredentials;
    private final String anonymous;
    private final Map<String, ConsumerVerifier> byKey;
    private final VerifiedTokens verified = new VerifiedTokens();

    JwtAuthInstance(String header, String query, String cookie, String keyClaim, boolean hideCredentials, String anonymous,
                    Map<String, ConsumerVerifier> byKey) {
        this.header = header;
        this.query = query;
        this.cookie = cookie;
        this.keyClaim = keyClaim;
        this.hideCredentials = hideCredentials;
        this.anonymous = anonymous;
        this.byKey = byKey;
    }

    private static PhaseResult unauthorized(String message) {
        return PhaseResult.respond(401, CHALLENGE, ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
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
        if (token != null && token.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = token.substring(7).trim();
        }
        if (token == null || token.isEmpty()) {
            return anonymousOr(context, "Missing JWT token in request");
        }
        VerifiedTokens.Verified known = verified.get(token);
        if (known != null && known.validAt(System.currentTimeMillis())) {
            return accept(context, known.consumer(), source);
        }
        DecodedJWT jwt;
        try {
            jwt = JWT.decode(token);
        } catch (JWTDecodeException e) {
            return anonymousOr(context, "JWT token invalid");
        }
        Claim key = jwt.getClaim(keyClaim);
        if (key.isMissing() || key.isNull() || key.asString() == null) {
            return anonymousOr(context, "missing user key in JWT token");
        }
        ConsumerVerifier consumer = byKey.get(key.asString());
        if (consumer == null) {
            return anonymousOr(context, "Invalid user key in JWT token");
        }
        try {
            consumer.verifier().verify(jwt);
        } catch (JWTVerificationException e) {
            log.warn("jwt-auth on route {}: token for consumer {} rejected: {}", context.routeId(), consumer.username(), e.getMessage());
            return anonymousOr(context, "failed to verify jwt");
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

    /** APISIX's anonymous_consumer: a request that fails authentication proceeds as that consumer. */
    private PhaseResult anonymousOr(PluginContext context, String message) {
        if (anonymous != null && context.authenticate(anonymous)) {
            return PhaseResult.proceed();
        }
        return unauthorized(message);
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
