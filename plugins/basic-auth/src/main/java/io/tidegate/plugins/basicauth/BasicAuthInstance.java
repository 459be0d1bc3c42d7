package io.tidegate.plugins.basicauth;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;

/**
 * Reads {@code Authorization: Basic base64(user:password)} (RFC 7617: the password is everything
 * after the first colon; blanks around the name and the password are dropped, as APISIX drops them,
 * so {@code echo user:pass | base64} with its newline works) and compares the password in constant
 * time, so its length and content do not leak through timing. A request that fails goes on as the anonymous consumer when one is
 * configured, else gets 401 with APISIX's message and {@code WWW-Authenticate: Basic realm="..."}.
 */
final class BasicAuthInstance implements PluginInstance {
    /** A consumer's name and password, keyed by the Basic user name. */
    record Account(String consumer, byte[] password) {}

    private static final String AUTHORIZATION = "Authorization";

    private final boolean hideCredentials;
    private final String anonymous;
    private final Map<String, Account> accountsByUser;
    private final PhaseResult missing;
    private final PhaseResult malformed;
    private final PhaseResult wrongUser;

    BasicAuthInstance(BasicAuthPlugin.Settings settings, Map<String, Account> accountsByUser) {
        this.hideCredentials = settings.hideCredentials();
        this.anonymous = settings.anonymousConsumer();
        this.accountsByUser = accountsByUser;
        String challenge = "Basic realm=\"" + settings.realm() + "\"";
        this.missing = unauthorized("Missing authorization in request", challenge);
        this.malformed = unauthorized("Invalid authorization in request", challenge);
        this.wrongUser = unauthorized("Invalid user authorization", challenge);
    }

    private static PhaseResult unauthorized(String message, String challenge) {
        return PhaseResult.respondMessage(401, "message", message).withHeader("WWW-Authenticate", challenge);
    }

    @Override
    public PhaseResult rewrite(PluginContext context) {
        PhaseResult outcome = authenticate(context);
        if (!outcome.proceeds() && (anonymous == null || !context.authenticate(anonymous))) {
            return outcome;
        }
        if (hideCredentials) {
            context.upstreamRequest().removeHeader(AUTHORIZATION);
        }
        return PhaseResult.proceed();
    }

    private PhaseResult authenticate(PluginContext context) {
        String authorization = context.request().header(AUTHORIZATION);
        if (authorization == null) {
            return missing;
        }
        String decoded = decodeBasic(authorization);
        int colon = decoded == null ? -1 : decoded.indexOf(':');
        if (colon < 0) {
            return malformed;
        }
        Account account = accountsByUser.get(decoded.substring(0, colon).strip());
        byte[] password = decoded.substring(colon + 1).strip().getBytes(StandardCharsets.UTF_8);
        if (account == null || !MessageDigest.isEqual(account.password(), password) || !context.authenticate(account.consumer())) {
            return wrongUser;
        }
        return PhaseResult.proceed();
    }

    /** The decoded {@code user:password} of a Basic header (scheme case-insensitive), or null. */
    static String decodeBasic(String authorization) {
        String value = authorization.strip();
        if (value.length() < 7 || !value.regionMatches(true, 0, "basic", 0, 5) || !Character.isWhitespace(value.charAt(5))) {
            return null;
        }
        try {
            return new String(Base64.getDecoder().decode(value.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }
}
