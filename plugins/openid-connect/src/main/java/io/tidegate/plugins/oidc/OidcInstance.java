package io.tidegate.plugins.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.JWKSet;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One openid-connect configuration: the bearer-token check, then (without a token) the action for
 * unauthenticated requests, the browser login among them. Decisions that need the provider wait
 * without a thread and resume on the request's IO thread; with the discovery document and JWKS
 * cached, a bearer token is checked at once.
 */
final class OidcInstance implements PluginInstance {
    private static final List<String> OUTPUT_HEADERS = List.of("X-Access-Token", "X-Userinfo", "X-ID-Token", "X-Refresh-Token", "X-Raw-ID-Token");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenIdConnectPlugin.Settings config;
    private final Provider provider;
    private final TokenChecks checks;
    private final Duration timeout;
    private final Duration jwksMaxAge;
    private final PluginLog log;
    private final BrowserLogin login;
    private final VerifiedTokens verified = new VerifiedTokens();
    /** Set-Cookie values the browser login wants on this request's response (a renewed session). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private final io.tidegate.plugin.api.AttributeKey<List<String>> responseCookies =
            (io.tidegate.plugin.api.AttributeKey) io.tidegate.plugin.api.AttributeKey.of("oidc.cookies", List.class);
    private final PhaseResult noToken;

    OidcInstance(OpenIdConnectPlugin.Settings config, Provider provider, TokenChecks checks, Duration timeout, PluginLog log) {
        this.config = config;
        this.provider = provider;
        this.checks = checks;
        this.timeout = timeout;
        this.jwksMaxAge = Duration.ofSeconds(config.jwkExpiresIn());
        this.log = log;
        this.login = config.session() == null ? null : new BrowserLogin(config, provider, checks, timeout, log, this);
        this.noToken = PhaseResult.respond(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + config.realm() + "\""), new byte[0]);
    }

    @Override
    public PhaseResult rewrite(PluginContext context) {
        String clientAccessToken = context.request().header("X-Access-Token");
        for (String header : OUTPUT_HEADERS) {
            context.upstreamRequest().removeHeader(header);
        }
        if (config.checksBearerTokens()) {
            String authorization = context.request().header("Authorization");
            String token = clientAccessToken;
            if (authorization != null) {
                int space = authorization.indexOf(' ');
                if (space < 0) {
                    return PhaseResult.respond(400, Map.of(), new byte[0]);
                }
                token = authorization.substring(0, space).equalsIgnoreCase("bearer") ? authorization.substring(space + 1).strip() : null;
            }
            if (token != null && !token.isEmpty()) {
                return bearer(context, token);
            }
            if (config.bearerOnly()) {
                return noToken;
            }
        }
        return switch (config.unauthAction()) {
            case "pass" -> PhaseResult.proceed();
            case "deny" -> PhaseResult.respond(401, Map.of(), new byte[0]);
            default -> login.handle(context);
        };
    }

    // --- bearer tokens ---

    private PhaseResult bearer(PluginContext context, String token) {
        VerifiedTokens.Verified known = verified.get(token, System.currentTimeMillis());
        if (known != null) {
            return authorized(context, token, known.claims(), known.userinfoHeader());
        }
        if (!checks.hasPublicKey() && !config.useJwks()) {
            return introspect(context, token);
        }
        List<String> issuers = configuredIssuers();
        Provider.Metadata metadata = issuers == null ? provider.metadataNow() : null;
        JWKSet keys = checks.hasPublicKey() ? null : provider.jwksNow(jwksMaxAge);
        if ((issuers != null || metadata != null) && (checks.hasPublicKey() || keys != null)) {
            TokenChecks.Result result = checks.check(token, keys, issuers != null ? issuers : List.of(metadata.issuer()));
            if (!result.unknownKey()) {
                return verdict(context, token, result);
            }
        }
        // something is not at hand (or the key is new): fetch, then check on the request's thread
        CompletableFuture<List<String>> trusted = issuers != null ? CompletableFuture.completedFuture(issuers)
                : provider.metadata(timeout).thenApply(md -> List.of(md.issuer()));
        CompletionStage<PhaseResult> outcome = trusted.thenCompose(iss -> checks.hasPublicKey()
                ? CompletableFuture.completedFuture(checks.check(token, null, iss))
                : provider.jwks(jwksMaxAge, keys != null, timeout).thenApply(set -> checks.check(token, set, iss)))
                .handleAsync((result, failure) -> {
                    if (failure != null) {
                        log.warn("could not check a bearer token with the provider: {}", rootCause(failure));
                        return invalidToken("the OpenID provider could not be reached");
                    }
                    return verdict(context, token, result);
                }, context.requestThread());
        return PhaseResult.later(outcome);
    }

    private List<String> configuredIssuers() {
        return config.claimValidator() == null || config.claimValidator().issuer() == null ? null
                : config.claimValidator().issuer().validIssuers();
    }

    private PhaseResult verdict(PluginContext context, String token, TokenChecks.Result result) {
        if (!result.valid()) {
            return invalidToken(result.error());
        }
        String userinfo = config.setUserinfoHeader() ? base64Json(JSON.valueToTree(result.claims())) : null;
        verified.put(token, result.claims(), userinfo, System.currentTimeMillis());
        return authorized(context, token, result.claims(), userinfo);
    }

    private PhaseResult introspect(PluginContext context, String token) {
        CompletableFuture<java.net.URI> endpoint = config.introspectionEndpoint() != null
                ? CompletableFuture.completedFuture(java.net.URI.create(config.introspectionEndpoint()))
                : provider.metadata(timeout).thenApply(md -> {
                    if (md.introspectionEndpoint() == null) {
                        throw new java.util.concurrent.CompletionException(new IllegalStateException("the provider has no introspection_endpoint"));
                    }
                    return md.introspectionEndpoint();
                });
        Map<String, String> form = new LinkedHashMap<>();
        form.put("token", token);
        form.put("token_type_hint", "access_token");
        String basic = clientAuthentication(config.introspectionEndpointAuthMethod(), form);
        return PhaseResult.later(endpoint.thenCompose(uri -> provider.postForm(uri, form, basic, timeout))
                .handleAsync((answer, failure) -> {
                    if (failure != null) {
                        log.warn("token introspection failed: {}", rootCause(failure));
                        return invalidToken("the OpenID provider could not be reached");
                    }
                    if (!answer.path("active").asBoolean(false)) {
                        return invalidToken("invalid token");
                    }
                    @SuppressWarnings("unchecked")
                    Map<String, Object> claims = JSON.convertValue(answer, Map.class);
                    // kept until its exp (at most 5 minutes), as lua-resty-openidc keeps introspections
                    String userinfo = config.setUserinfoHeader() ? base64Json(answer) : null;
                    verified.put(token, claims, userinfo, System.currentTimeMillis());
                    return authorized(context, token, claims, userinfo);
                }, context.requestThread()));
    }

    /** client_secret_basic: the returned Authorization value; client_secret_post: both go into {@code form}. */
    String clientAuthentication(String method, Map<String, String> form) {
        String secret = config.clientSecret();
        if (secret == null) {
            form.put("client_id", config.clientId());  // a public client (PKCE): it names itself, it proves nothing
            return null;
        }
        if (method.equals("client_secret_post")) {
            form.put("client_id", config.clientId());
            form.put("client_secret", secret);
            return null;
        }
        String pair = urlEncode(config.clientId()) + ":" + urlEncode(secret);
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    private static String urlEncode(String text) {
        return java.net.URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    /** A token the provider vouches for: scopes and audience, then the headers for the upstream. */
    /** {@code userinfoHeader}: the X-Userinfo value when made already, else null. */
    private PhaseResult authorized(PluginContext context, String token, Map<String, Object> claims, String userinfoHeader) {
        Object scope = claims.get("scope");
        PhaseResult refusal = missingScopes(scope instanceof String s ? s : null);
        if (refusal == null) {
            refusal = wrongAudience(claims);
        }
        if (refusal != null) {
            return refusal;
        }
        setAccessToken(context, token);
        if (config.setUserinfoHeader()) {
            context.upstreamRequest().setHeader("X-Userinfo", userinfoHeader != null ? userinfoHeader : base64Json(JSON.valueToTree(claims)));
        }
        return PhaseResult.proceed();
    }

    /** Whether required_scopes asks for anything (else no scope need be read at all). */
    boolean checksScopes() {
        return config.requiredScopes() != null && !config.requiredScopes().isEmpty();
    }

    /** 403 when required_scopes are not all in the space-separated {@code scope}; null when they are. */
    PhaseResult missingScopes(String scope) {
        if (!checksScopes()) {
            return null;
        }
        List<String> granted = scope == null ? List.of() : List.of(scope.trim().split("\\s+"));
        if (granted.containsAll(config.requiredScopes())) {
            return null;
        }
        return forbidden("required scopes " + String.join(", ", config.requiredScopes()) + " not present");
    }

    private PhaseResult wrongAudience(Map<String, Object> claims) {
        OpenIdConnectPlugin.Audience audience = config.claimValidator() == null ? null : config.claimValidator().audience();
        if (audience == null) {
            return null;
        }
        Object value = claims.get(audience.claim());
        if ((audience.required() || audience.matchWithClientId()) && value == null) {
            return forbidden("required audience claim not present");
        }
        if (audience.matchWithClientId()) {
            boolean matched = value instanceof List<?> list ? list.contains(config.clientId()) : config.clientId().equals(value);
            if (!matched) {
                return forbidden("mismatched audience");
            }
        }
        return null;
    }

    private static PhaseResult forbidden(String error) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("error", error);
        return PhaseResult.respond(403, Map.of(), body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private PhaseResult invalidToken(String description) {
        String safe = description.replaceAll("[\"\\\\\\p{Cntrl}]", "'");
        return PhaseResult.respond(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + config.realm()
                + "\", error=\"invalid_token\", error_description=\"" + safe + "\""), new byte[0]);
    }

    void setAccessToken(PluginContext context, String token) {
        if (!config.setAccessTokenHeader() || token == null) {
            return;
        }
        if (config.accessTokenInAuthorizationHeader()) {
            context.upstreamRequest().setHeader("Authorization", "Bearer " + token);
        } else {
            context.upstreamRequest().setHeader("X-Access-Token", token);
        }
    }

    static String base64Json(JsonNode json) {
        return Base64.getEncoder().encodeToString(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.toString();
    }

    void sendWithResponse(PluginContext context, List<String> setCookies) {
        context.setAttribute(responseCookies, setCookies);
    }

    @Override
    public void headerFilter(PluginContext context) {
        List<String> setCookies = context.attribute(responseCookies);
        if (setCookies != null) {
            setCookies.forEach(cookie -> context.response().addHeader("Set-Cookie", cookie));
        }
    }

    /** Runs {@code then} with the discovery document: at once when cached, else when fetched. */
    PhaseResult withMetadata(PluginContext context, Function<Provider.Metadata, PhaseResult> then, PhaseResult unreachable) {
        Provider.Metadata metadata = provider.metadataNow();
        if (metadata != null) {
            return then.apply(metadata);
        }
        return PhaseResult.later(provider.metadata(timeout).handleAsync((md, failure) -> {
            if (failure != null) {
                log.warn("could not read the OpenID provider's discovery document: {}", rootCause(failure));
                return stage(unreachable);
            }
            return stage(then.apply(md));
        }, context.requestThread()).thenCompose(Function.identity()));
    }

    /** A decision as a stage: a deferred one's pending outcome, any other as it is. */
    static CompletionStage<PhaseResult> stage(PhaseResult decision) {
        return decision.pending() != null ? decision.pending() : CompletableFuture.completedFuture(decision);
    }
}
