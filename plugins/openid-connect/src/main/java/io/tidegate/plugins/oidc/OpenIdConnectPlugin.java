package io.tidegate.plugins.oidc;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.net.URI;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * APISIX's {@code openid-connect} (priority 2599, rewrite phase): bearer tokens checked against an
 * OpenID provider (its JWKS, a configured public key, or its introspection endpoint), and the
 * authorization-code login for browsers with an encrypted session cookie. Every call to the
 * provider is asynchronous; the discovery document and JWKS are cached per provider.
 */
@Extension
public final class OpenIdConnectPlugin implements GatewayPlugin<OpenIdConnectPlugin.Settings> {
    public record Session(String secret, String cookieName, String cookiePath, String cookieDomain, Boolean cookieSecure,
                          boolean cookieHttpOnly, String cookieSameSite, long absoluteTimeout) {
        @Override
        public String toString() {
            return "Session[secret=***, cookieName=" + cookieName + "]";
        }
    }

    public record Issuer(List<String> validIssuers) {}

    public record Audience(String claim, boolean required, boolean matchWithClientId) {}

    public record ClaimValidator(Issuer issuer, Audience audience) {}

    public record Settings(String clientId, String clientSecret, String discovery, String scope, boolean sslVerify, int timeout,
                           String introspectionEndpoint, String introspectionEndpointAuthMethod, String tokenEndpointAuthMethod,
                           boolean bearerOnly, Session session, String realm, ClaimValidator claimValidator, String logoutPath,
                           String redirectUri, String postLogoutRedirectUri, String unauthAction, String publicKey, boolean useJwks,
                           String tokenSigningAlgValuesExpected, boolean usePkce, boolean useNonce, boolean setAccessTokenHeader,
                           boolean accessTokenInAuthorizationHeader, boolean setIdTokenHeader, boolean setUserinfoHeader,
                           boolean setRefreshTokenHeader, boolean renewAccessTokenOnExpiry, List<String> requiredScopes, long jwkExpiresIn,
                           Map<String, String> authorizationParams) {
        @Override
        public String toString() {
            return "Settings[clientId=" + clientId + ", discovery=" + discovery + ", clientSecret=***]";
        }

        /** APISIX's rule: a key, the JWKS or an introspection endpoint means bearer tokens are looked for. */
        boolean checksBearerTokens() {
            return bearerOnly || introspectionEndpoint != null || publicKey != null || useJwks;
        }

        boolean logsBrowsersIn() {
            return !bearerOnly && unauthAction.equals("auth");
        }
    }

    @Override
    public String name() {
        return "openid-connect";
    }

    @Override
    public int priority() {
        return 2599;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/openid-connect.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        URI discovery = uri("discovery", config.discovery());
        if (config.introspectionEndpoint() != null) {
            uri("introspection_endpoint", config.introspectionEndpoint());
        }
        boolean introspects = config.checksBearerTokens() && config.publicKey() == null && !config.useJwks();
        if (config.clientSecret() == null && (introspects || (!config.bearerOnly() && !config.usePkce()))) {
            throw new PluginConfigException("client_secret", "is required for token introspection, and for the browser login "
                    + "unless use_pkce makes this gateway a public client");
        }
        if (config.logsBrowsersIn() && config.session() == null) {
            throw new PluginConfigException("session.secret", "is required for the browser login (unauth_action auth without "
                    + "bearer_only): the session cookie is encrypted with it, the same on every gateway node");
        }
        PublicKey publicKey = null;
        if (config.publicKey() != null) {
            try {
                publicKey = PemKeys.publicKey(config.publicKey());
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException("public_key", e.getMessage());
            }
        }
        Provider provider = services.shared(new Provider.Key(discovery, config.sslVerify()),
                () -> new Provider(discovery, services.httpClient(config.sslVerify())));
        Duration timeout = Duration.ofSeconds(config.timeout());
        TokenChecks checks = new TokenChecks(config, publicKey, Clock.systemUTC());
        return new OidcInstance(config, provider, checks, timeout, services.log());
    }

    private static URI uri(String field, String text) throws PluginConfigException {
        try {
            URI uri = URI.create(text);
            if (uri.getHost() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))) {
                throw new PluginConfigException(field, "must be an http(s) URL with a host: " + text);
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException(field, "not a URL: " + e.getMessage());
        }
    }
}
