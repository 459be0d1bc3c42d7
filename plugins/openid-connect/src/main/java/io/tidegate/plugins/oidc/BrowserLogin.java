package io.tidegate.plugins.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.JWKSet;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginLog;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The authorization-code login for browsers: a request without a session is redirected to the
 * provider (state, optional nonce and PKCE kept in a short-lived session cookie); the provider's
 * redirect back is checked (state, code exchanged, ID token verified) and turned into a session
 * cookie; a request with a session goes on with the tokens as headers; the logout path ends it.
 */
final class BrowserLogin {
    private static final String DEFAULT_CALLBACK = "/.apisix/redirect";
    private static final long LOGIN_SECONDS = 600;
    /** Logins restarted from a bad callback before giving up (APISIX's MAX_AUTH_FLOW_RESTARTS). */
    private static final int MAX_RESTARTS = 3;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final PhaseResult PROVIDER_UNREACHABLE = PhaseResult.respondMessage(500, "error_msg", "the OpenID provider could not be reached");

    private final OpenIdConnectPlugin.Settings config;
    private final Provider provider;
    private final TokenChecks checks;
    private final Duration timeout;
    private final Duration jwksMaxAge;
    private final PluginLog log;
    private final OidcInstance owner;
    private final SessionCookies cookies;

    BrowserLogin(OpenIdConnectPlugin.Settings config, Provider provider, TokenChecks checks, Duration timeout, PluginLog log, OidcInstance owner) {
        this.config = config;
        this.provider = provider;
        this.checks = checks;
        this.timeout = timeout;
        this.jwksMaxAge = Duration.ofSeconds(config.jwkExpiresIn());
        this.log = log;
        this.owner = owner;
        this.cookies = new SessionCookies(config.session(), config.discovery() + "\0" + config.clientId());
    }

    PhaseResult handle(PluginContext context) {
        return owner.withMetadata(context, md -> route(context, md), PROVIDER_UNREACHABLE);
    }

    private PhaseResult route(PluginContext context, Provider.Metadata md) {
        ObjectNode session = cookies.read(name -> context.var("cookie_" + name));
        boolean https = "https".equals(context.var("scheme"));
        String uri = context.var("uri");
        if (uri.equals(config.logoutPath())) {
            return logout(session, md, https);
        }
        if (isCallback(uri)) {
            return callback(context, session, md, https);
        }
        if (session != null && session.path("auth").asBoolean(false) && now() < session.path("exp").asLong()) {
            if (!session.has("access_exp") || now() < session.path("access_exp").asLong()) {
                return serve(context, session);
            }
            if (config.renewAccessTokenOnExpiry() && session.hasNonNull("refresh_token") && md.tokenEndpoint() != null) {
                return renew(context, session, md, https);
            }
        }
        return start(context, md, https, context.var("request_uri"), 0);
    }

    private boolean isCallback(String uri) {
        if (config.redirectUri() == null) {
            return uri.endsWith(DEFAULT_CALLBACK);
        }
        String configured = config.redirectUri().contains("://") ? URI.create(config.redirectUri()).getRawPath() : config.redirectUri();
        return uri.equals(configured);
    }

    /** The redirect_uri sent to the provider, absolute: a configured path is joined to the request's scheme and Host. */
    private String redirectUri(PluginContext context) {
        String configured = config.redirectUri();
        if (configured != null && configured.contains("://")) {
            return configured;
        }
        String path = configured;
        if (path == null) {
            String uri = context.var("uri");
            path = uri.endsWith(DEFAULT_CALLBACK) ? uri : (uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri) + DEFAULT_CALLBACK;
        }
        return context.var("scheme") + "://" + context.request().header("Host") + path;
    }

    private PhaseResult start(PluginContext context, Provider.Metadata md, boolean https, String original, int restarts) {
        if (md.authorizationEndpoint() == null) {
            return PhaseResult.respondMessage(500, "error_msg", "the provider's discovery document has no authorization_endpoint");
        }
        ObjectNode pending = JsonNodeFactory.instance.objectNode();
        String state = random(16);
        String redirect = redirectUri(context);
        pending.put("state", state).put("redirect", redirect).put("original", original == null ? "/" : original)
                .put("exp", now() + LOGIN_SECONDS).put("restarts", restarts);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", config.clientId());
        query.put("redirect_uri", redirect);
        query.put("scope", config.scope());
        query.put("state", state);
        if (config.useNonce()) {
            String nonce = random(16);
            pending.put("nonce", nonce);
            query.put("nonce", nonce);
        }
        if (config.usePkce()) {
            String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
            pending.put("verifier", verifier);
            query.put("code_challenge", Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier)));
            query.put("code_challenge_method", "S256");
        }
        if (config.authorizationParams() != null) {
            config.authorizationParams().forEach(query::putIfAbsent);
        }
        String endpoint = md.authorizationEndpoint().toString();
        String location = endpoint + (endpoint.contains("?") ? "&" : "?") + form(query);
        return redirect(location, cookies.write(pending, LOGIN_SECONDS, https));
    }

    private PhaseResult callback(PluginContext context, ObjectNode pending, Provider.Metadata md, boolean https) {
        String error = context.request().queryArg("error");
        if (error != null) {
            return PhaseResult.respondMessage(401, "message", "the OpenID provider refused the login: " + error);
        }
        String state = context.request().queryArg("state");
        String code = context.request().queryArg("code");
        if (pending == null || !pending.has("state") || state == null || code == null
                || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8), pending.path("state").asText().getBytes(StandardCharsets.UTF_8))
                || now() >= pending.path("exp").asLong()) {
            // a stale tab, a replayed or forged callback: start over rather than trust it, a few times
            int restarts = pending == null ? 0 : pending.path("restarts").asInt(0);
            if (restarts >= MAX_RESTARTS || !context.request().method().equals("GET")) {
                return PhaseResult.respondMessage(401, "message", "the login could not be completed");
            }
            String original = pending == null ? "/" : pending.path("original").asText("/");
            return start(context, md, https, original, restarts + 1);
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", pending.path("redirect").asText());
        if (pending.has("verifier")) {
            form.put("code_verifier", pending.path("verifier").asText());
        }
        String basic = owner.clientAuthentication(config.tokenEndpointAuthMethod(), form);
        CompletableFuture<ObjectNode> established = provider.postForm(md.tokenEndpoint(), form, basic, timeout)
                .thenCompose(tokens -> verifyIdToken(tokens, pending, md)
                        .thenCompose(claims -> userinfo(md, tokens))
                        .thenApply(userinfo -> sessionOf(tokens, userinfo)));
        return PhaseResult.later(established.handleAsync((session, failure) -> {
            if (failure != null) {
                log.warn("login failed: {}", OidcInstance.rootCause(failure));
                return PhaseResult.respondMessage(500, "error_msg", "login failed");
            }
            List<String> setCookies = cookies.write(session, config.session().absoluteTimeout(), https);
            if (setCookies == null) {
                log.error("the session of a login does not fit in {} cookies; leave out userinfo or the refresh token", SessionCookies.MAX_CHUNKS);
                return PhaseResult.respondMessage(500, "error_msg", "the session is too large for its cookies");
            }
            return redirect(pending.path("original").asText("/"), setCookies);
        }, context.requestThread()));
    }

    private CompletableFuture<Map<String, Object>> verifyIdToken(JsonNode tokens, ObjectNode pending, Provider.Metadata md) {
        String idToken = tokens.path("id_token").asText(null);
        if (idToken == null || tokens.path("access_token").asText(null) == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("the token endpoint sent no id_token or access_token"));
        }
        List<String> issuers = List.of(md.issuer());
        return provider.jwks(jwksMaxAge, false, timeout).thenCompose(keys -> {
            TokenChecks.Result result = checks.check(idToken, keys, issuers);
            return result.unknownKey() ? provider.jwks(jwksMaxAge, true, timeout).thenApply(fresh -> checks.check(idToken, fresh, issuers))
                    : CompletableFuture.completedFuture(result);
        }).thenApply(result -> {
            if (!result.valid()) {
                throw new CompletionException(new IllegalStateException("id_token: " + result.error()));
            }
            Object aud = result.claims().get("aud");
            boolean forUs = aud instanceof List<?> list ? list.contains(config.clientId()) : config.clientId().equals(aud);
            if (!forUs) {
                throw new CompletionException(new IllegalStateException("id_token is not for client " + config.clientId()));
            }
            if (pending.has("nonce") && !pending.path("nonce").asText().equals(result.claims().get("nonce"))) {
                throw new CompletionException(new IllegalStateException("id_token nonce does not match"));
            }
            return result.claims();
        });
    }

    private CompletableFuture<JsonNode> userinfo(Provider.Metadata md, JsonNode tokens) {
        if (!config.setUserinfoHeader() || md.userinfoEndpoint() == null) {
            return CompletableFuture.completedFuture(null);
        }
        return provider.getJson(md.userinfoEndpoint(), tokens.path("access_token").asText(), timeout).exceptionally(failure -> {
            log.warn("userinfo could not be read, the session goes on without it: {}", OidcInstance.rootCause(failure));
            return null;
        });
    }

    private ObjectNode sessionOf(JsonNode tokens, JsonNode userinfo) {
        ObjectNode session = JsonNodeFactory.instance.objectNode();
        session.put("auth", true).put("exp", now() + config.session().absoluteTimeout());
        session.put("access_token", tokens.path("access_token").asText());
        if (tokens.path("expires_in").canConvertToLong() && tokens.path("expires_in").asLong() > 0) {
            session.put("access_exp", now() + tokens.path("expires_in").asLong());
        }
        session.put("id_token", tokens.path("id_token").asText());
        if (tokens.hasNonNull("scope")) {
            session.put("scope", tokens.path("scope").asText());
        }
        if ((config.setRefreshTokenHeader() || config.renewAccessTokenOnExpiry()) && tokens.hasNonNull("refresh_token")) {
            session.put("refresh_token", tokens.path("refresh_token").asText());
        }
        if (userinfo != null) {
            session.set("userinfo", userinfo);
        }
        return session;
    }

    /**
     * An expired access token renewed with the refresh token, without a new login (lua-resty-openidc's
     * renew_access_token_on_expiry): the request goes on with the new token, and the client gets
     * the updated session with the response. A refused renewal starts a new login.
     */
    private PhaseResult renew(PluginContext context, ObjectNode session, Provider.Metadata md, boolean https) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", session.path("refresh_token").asText());
        String basic = owner.clientAuthentication(config.tokenEndpointAuthMethod(), form);
        String original = context.var("request_uri");
        return PhaseResult.later(provider.postForm(md.tokenEndpoint(), form, basic, timeout).handleAsync((tokens, failure) -> {
            if (failure != null || tokens.path("access_token").asText(null) == null) {
                log.info("the access token could not be renewed, starting a new login: {}",
                        failure == null ? "no access_token in the answer" : OidcInstance.rootCause(failure));
                return start(context, md, https, original, 0);
            }
            ObjectNode renewed = session.deepCopy();
            renewed.put("access_token", tokens.path("access_token").asText());
            renewed.remove("access_exp");
            if (tokens.path("expires_in").canConvertToLong() && tokens.path("expires_in").asLong() > 0) {
                renewed.put("access_exp", now() + tokens.path("expires_in").asLong());
            }
            for (String field : new String[] {"refresh_token", "id_token", "scope"}) {
                if (tokens.hasNonNull(field)) {
                    renewed.put(field, tokens.path(field).asText());
                }
            }
            List<String> setCookies = cookies.write(renewed, Math.max(1, renewed.path("exp").asLong() - now()), https);
            if (setCookies != null) {
                owner.sendWithResponse(context, setCookies);
            }
            return serve(context, renewed);
        }, context.requestThread()));
    }

    private PhaseResult serve(PluginContext context, ObjectNode session) {
        if (owner.checksScopes()) {
            String scope = session.hasNonNull("scope") ? session.path("scope").asText() : claimOf(session.path("access_token").asText(), "scope");
            PhaseResult refusal = owner.missingScopes(scope);
            if (refusal != null) {
                return refusal;
            }
        }
        owner.setAccessToken(context, session.path("access_token").asText(null));
        if (config.setIdTokenHeader()) {
            String payload = payloadOf(session.path("id_token").asText(""));
            if (payload != null) {
                context.upstreamRequest().setHeader("X-ID-Token", Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8)));
            }
        }
        if (config.setUserinfoHeader() && session.has("userinfo")) {
            context.upstreamRequest().setHeader("X-Userinfo", OidcInstance.base64Json(session.get("userinfo")));
        }
        if (config.setRefreshTokenHeader() && session.has("refresh_token")) {
            context.upstreamRequest().setHeader("X-Refresh-Token", session.path("refresh_token").asText());
        }
        return PhaseResult.proceed();
    }

    private PhaseResult logout(ObjectNode session, Provider.Metadata md, boolean https) {
        List<String> clear = cookies.clear(https);
        if (md.endSessionEndpoint() != null) {
            Map<String, String> query = new LinkedHashMap<>();
            if (session != null && session.hasNonNull("id_token")) {
                query.put("id_token_hint", session.path("id_token").asText());
            }
            if (config.postLogoutRedirectUri() != null) {
                query.put("post_logout_redirect_uri", config.postLogoutRedirectUri());
            }
            String endpoint = md.endSessionEndpoint().toString();
            return redirect(query.isEmpty() ? endpoint : endpoint + (endpoint.contains("?") ? "&" : "?") + form(query), clear);
        }
        if (config.postLogoutRedirectUri() != null) {
            return redirect(config.postLogoutRedirectUri(), clear);
        }
        return PhaseResult.respondWithHeaders(200, Map.of("Content-Type", List.of("text/html"), "Set-Cookie", clear, "Cache-Control", List.of("no-store")),
                "<html><body>Logged Out</body></html>\n".getBytes(StandardCharsets.UTF_8));
    }

    private static PhaseResult redirect(String location, List<String> setCookies) {
        return PhaseResult.respondWithHeaders(302, Map.of("Location", List.of(location), "Set-Cookie", setCookies, "Cache-Control", List.of("no-store")),
                new byte[0]);
    }

    /** The JSON payload of a JWT, or null. */
    private static String payloadOf(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String claimOf(String jwt, String claim) {
        String payload = payloadOf(jwt);
        if (payload == null) {
            return null;
        }
        try {
            JsonNode value = JSON.readTree(payload).get(claim);
            return value != null && value.isTextual() ? value.asText() : null;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private static String form(Map<String, String> values) {
        StringBuilder out = new StringBuilder();
        values.forEach((name, value) -> out.append(out.length() == 0 ? "" : "&").append(URLEncoder.encode(name, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return out.toString();
    }

    private static long now() {
        return System.currentTimeMillis() / 1000;
    }

    private static String random(int bytes) {
        return HexFormat.of().formatHex(randomBytes(bytes));
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
