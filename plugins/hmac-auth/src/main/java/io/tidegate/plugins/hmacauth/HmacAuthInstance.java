package io.tidegate.plugins.hmacauth;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a signed request in APISIX's order (fields, consumer, algorithm, Date within the clock
 * skew, required signed headers, signature, then the body's digest) and answers as APISIX does:
 * the reason in the body only for a missing or non-Signature header, else
 * {@code client request can't be validated}, with {@code WWW-Authenticate: hmac realm="..."}.
 * Signatures are compared in constant time.
 */
final class HmacAuthInstance implements PluginInstance {
    /** A consumer's name and secret, keyed by key_id. */
    record Signer(String consumer, byte[] secret) {}

    private static final String AUTHORIZATION = "Authorization";
    private static final String CANNOT_VALIDATE = "client request can't be validated";

    private final Set<String> allowedAlgorithms;
    private final long clockSkew;
    private final List<String> signedHeaders;
    private final boolean validateBody;
    private final int maxBody;
    private final boolean hideCredentials;
    private final String anonymous;
    private final String challenge;
    private final Map<String, Signer> signersByKeyId;
    private final Clock clock;

    HmacAuthInstance(HmacAuthPlugin.Settings settings, Map<String, Signer> signersByKeyId, Clock clock) {
        this.allowedAlgorithms = Set.copyOf(settings.allowedAlgorithms());
        this.clockSkew = settings.clockSkew();
        this.signedHeaders = List.copyOf(settings.signedHeaders());
        this.validateBody = settings.validateRequestBody();
        this.maxBody = settings.maxReqBodySize();
        this.hideCredentials = settings.hideCredentials();
        this.anonymous = settings.anonymousConsumer();
        this.challenge = "hmac realm=\"" + settings.realm() + "\"";
        this.signersByKeyId = signersByKeyId;
        this.clock = clock;
    }

    @Override
    public PhaseResult rewrite(PluginContext context) {
        String authorization = context.request().header(AUTHORIZATION);
        if (authorization == null) {
            return refuse(context, CANNOT_VALIDATE + ": missing Authorization header");
        }
        SignatureHeader signature = SignatureHeader.parse(authorization);
        if (signature == null) {
            return refuse(context, CANNOT_VALIDATE + ": Authorization header does not start with 'Signature'");
        }
        Signer signer = verify(context, signature);
        if (signer == null) {
            return refuse(context, CANNOT_VALIDATE);
        }
        if (!validateBody) {
            return accept(context, signer.consumer());
        }
        String digest = context.request().header("Digest");
        if (digest == null) {
            return refuse(context, CANNOT_VALIDATE);
        }
        return PhaseResult.later(context.readBody(maxBody).thenApply(body -> {
            if (body == null) {
                String length = context.request().header("Content-Length");
                return PhaseResult.respondMessage(413, "message", "request size " + (length == null ? "" : length + " ")
                        + "is greater than the maximum size " + maxBody + " allowed");
            }
            return digest.equals("SHA-256=" + Base64.getEncoder().encodeToString(sha256(body)))
                    ? accept(context, signer.consumer()) : refuse(context, CANNOT_VALIDATE);
        }));
    }

    /** The signer when everything but the body checks out; null otherwise. */
    private Signer verify(PluginContext context, SignatureHeader header) {
        if (header.keyId() == null || header.signature() == null || header.algorithm() == null) {
            return null;
        }
        Signer signer = signersByKeyId.get(header.keyId());
        if (signer == null || !allowedAlgorithms.contains(header.algorithm()) || !dateWithinSkew(context.request().header("Date"))) {
            return null;
        }
        List<String> covered = header.headers() == null ? List.of() : header.headers();
        if (!covered.containsAll(signedHeaders)) {
            return null;
        }
        byte[] claimed;
        try {
            claimed = Base64.getDecoder().decode(header.signature());
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        byte[] expected = hmac(header.algorithm(), signer.secret(), signingString(context, header.keyId(), covered));
        return MessageDigest.isEqual(expected, claimed) ? signer : null;
    }

    private boolean dateWithinSkew(String date) {
        if (date == null) {
            return false;
        }
        try {
            long then = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
            return Math.abs(clock.instant().getEpochSecond() - then) <= clockSkew;
        } catch (DateTimeParseException notHttpDate) {
            return false;
        }
    }

    /**
     * keyId, then per covered header {@code name: value} (the name as the client listed it, the
     * first value), {@code @request-target} as {@code METHOD request_uri}; a header the request
     * lacks is left out. Lines end with a newline.
     */
    static String signingString(PluginContext context, String keyId, List<String> covered) {
        StringBuilder signing = new StringBuilder(keyId).append('\n');
        for (String name : covered) {
            String value = context.request().header(name);
            if (value != null) {
                signing.append(name).append(": ").append(value).append('\n');
            } else if (name.equals("@request-target")) {
                String uri = context.var("request_uri");
                signing.append(context.request().method()).append(' ').append(uri == null || uri.isEmpty() ? "/" : uri).append('\n');
            }
        }
        return signing.toString();
    }

    static byte[] hmac(String algorithm, byte[] secret, String text) {
        String jca = switch (algorithm) {
            case "hmac-sha1" -> "HmacSHA1";
            case "hmac-sha256" -> "HmacSHA256";
            default -> "HmacSHA512";
        };
        try {
            Mac mac = Mac.getInstance(jca);
            mac.init(new SecretKeySpec(secret, jca));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has " + jca, e);
        }
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private PhaseResult accept(PluginContext context, String consumer) {
        if (!context.authenticate(consumer)) {
            return refuse(context, CANNOT_VALIDATE);
        }
        return proceedHidden(context);
    }

    private PhaseResult refuse(PluginContext context, String message) {
        if (anonymous != null && context.authenticate(anonymous)) {
            return proceedHidden(context);
        }
        return PhaseResult.respondMessage(401, "message", message).withHeader("WWW-Authenticate", challenge);
    }

    private PhaseResult proceedHidden(PluginContext context) {
        if (hideCredentials) {
            context.upstreamRequest().removeHeader(AUTHORIZATION);
        }
        return PhaseResult.proceed();
    }
}
