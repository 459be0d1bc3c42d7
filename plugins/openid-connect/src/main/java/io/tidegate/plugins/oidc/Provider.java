package io.tidegate.plugins.oidc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * One OpenID provider as the gateway knows it: its discovery document and JWKS, each fetched once
 * and shared by every configuration naming the same discovery URL, across configuration versions.
 * Concurrent misses share one fetch; a failed fetch is not cached. A token signed with a key the
 * cached JWKS lacks refreshes it, at most once per {@link #MIN_JWKS_REFRESH} (so forged kids cannot
 * make the gateway hammer the provider).
 */
final class Provider implements AutoCloseable {
    record Key(URI discovery, boolean sslVerify) {}

    /** What the gateway uses of the discovery document. */
    record Metadata(String issuer, URI authorizationEndpoint, URI tokenEndpoint, URI jwksUri, URI introspectionEndpoint,
                    URI userinfoEndpoint, URI endSessionEndpoint) {}

    private record Fetched<T>(T value, long atMillis) {}

    static final Duration METADATA_TTL = Duration.ofHours(1);
    static final Duration MIN_JWKS_REFRESH = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI discovery;
    private final HttpClient http;
    private volatile Fetched<Metadata> metadata;
    private volatile Fetched<JWKSet> jwks;
    private CompletableFuture<Metadata> metadataLoading;
    private CompletableFuture<JWKSet> jwksLoading;

    Provider(URI discovery, HttpClient http) {
        this.discovery = discovery;
        this.http = http;
    }

    /** The discovery document when a fresh copy is at hand, else null. */
    Metadata metadataNow() {
        Fetched<Metadata> held = metadata;
        return held != null && System.currentTimeMillis() - held.atMillis() < METADATA_TTL.toMillis() ? held.value() : null;
    }

    synchronized CompletableFuture<Metadata> metadata(Duration timeout) {
        Metadata now = metadataNow();
        if (now != null) {
            return CompletableFuture.completedFuture(now);
        }
        if (metadataLoading == null) {
            CompletableFuture<Metadata> loading = getJson(discovery, null, timeout).thenApply(Provider::metadataOf);
            metadataLoading = loading;
            loading.whenComplete((value, failure) -> {
                synchronized (this) {
                    if (value != null) {
                        metadata = new Fetched<>(value, System.currentTimeMillis());
                    }
                    metadataLoading = null;
                }
            });
            // not the field: a fetch that completed already ran the listener above at once, clearing it
            return loading;
        }
        return metadataLoading;
    }

    /** The JWKS when a copy younger than {@code maxAge} is at hand, else null. */
    JWKSet jwksNow(Duration maxAge) {
        Fetched<JWKSet> held = jwks;
        return held != null && System.currentTimeMillis() - held.atMillis() < maxAge.toMillis() ? held.value() : null;
    }

    /**
     * The JWKS, fetched when none younger than {@code maxAge} is held or, with {@code refresh},
     * when the held one is older than {@link #MIN_JWKS_REFRESH}.
     */
    synchronized CompletableFuture<JWKSet> jwks(Duration maxAge, boolean refresh, Duration timeout) {
        Fetched<JWKSet> held = jwks;
        long age = held == null ? Long.MAX_VALUE : System.currentTimeMillis() - held.atMillis();
        if (held != null && age < maxAge.toMillis() && (!refresh || age < MIN_JWKS_REFRESH.toMillis())) {
            return CompletableFuture.completedFuture(held.value());
        }
        if (jwksLoading == null) {
            CompletableFuture<JWKSet> loading = metadata(timeout).thenCompose(md -> {
                if (md.jwksUri() == null) {
                    throw new CompletionException(new IOException("the discovery document has no jwks_uri"));
                }
                return getText(md.jwksUri(), timeout);
            }).thenApply(Provider::jwksOf);
            jwksLoading = loading;
            loading.whenComplete((value, failure) -> {
                synchronized (this) {
                    if (value != null) {
                        jwks = new Fetched<>(value, System.currentTimeMillis());
                    }
                    jwksLoading = null;
                }
            });
            return loading;  // as in metadata(): the field may be cleared already
        }
        return jwksLoading;
    }

    CompletableFuture<JsonNode> getJson(URI uri, String bearer, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json").GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(request.build(), timeout).thenApply(Provider::json);
    }

    /** A form POST (token, introspection), authenticated with {@code basicAuth} when not null. */
    CompletableFuture<JsonNode> postForm(URI uri, Map<String, String> form, String basicAuth, Duration timeout) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (basicAuth != null) {
            request.header("Authorization", basicAuth);
        }
        return send(request.build(), timeout).thenApply(Provider::json);
    }

    private CompletableFuture<String> getText(URI uri, Duration timeout) {
        return send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(), timeout);
    }

    /**
     * A GET that failed at the connection (the provider closed it as it was being used, say) is
     * sent once more: discovery and keys are read-only, and one such failure should not cost a
     * request its authentication.
     */
    private CompletableFuture<String> send(HttpRequest request, Duration timeout) {
        CompletableFuture<String> first = sendOnce(request, timeout);
        if (!request.method().equals("GET")) {
            return first;
        }
        return first.handle((body, failure) -> failure == null ? CompletableFuture.completedFuture(body)
                        : connectionFailure(failure) ? sendOnce(request, timeout) : CompletableFuture.<String>failedFuture(failure))
                .thenCompose(next -> next);
    }

    private static boolean connectionFailure(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause instanceof IOException && !(cause instanceof java.net.http.HttpTimeoutException)
                && !(cause instanceof UnexpectedStatus);
    }

    /** The provider answered, with a status other than 200: asking again would not help. */
    private static final class UnexpectedStatus extends IOException {
        UnexpectedStatus(String message) {
            super(message);
        }
    }

    private CompletableFuture<String> sendOnce(HttpRequest request, Duration timeout) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new CompletionException(new UnexpectedStatus(request.method() + " " + request.uri() + " answered " + response.statusCode()));
                    }
                    return response.body();
                });
    }

    private static JsonNode json(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new IOException("not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }

    private static Metadata metadataOf(JsonNode doc) {
        return new Metadata(text(doc, "issuer"), uri(doc, "authorization_endpoint"), uri(doc, "token_endpoint"), uri(doc, "jwks_uri"),
                uri(doc, "introspection_endpoint"), uri(doc, "userinfo_endpoint"), uri(doc, "end_session_endpoint"));
    }

    private static JWKSet jwksOf(String text) {
        try {
            return JWKSet.parse(text);
        } catch (ParseException e) {
            throw new CompletionException(new IOException("the JWKS does not parse: " + e.getMessage()));
        }
    }

    private static String text(JsonNode doc, String field) {
        JsonNode value = doc.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static URI uri(JsonNode doc, String field) {
        String text = text(doc, field);
        try {
            return text == null ? null : URI.create(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void close() {}
}
