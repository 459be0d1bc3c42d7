package io.tidegate.plugins.proxycache;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One proxy-cache configuration. In access: {@code PURGE} removes the key (200, or 404 when there
 * was nothing); a request whose method is not in {@code cache_method} or whose {@code cache_bypass}
 * holds goes upstream; otherwise a fresh entry answers (HIT, with Age; a disk entry just before the
 * proxy, see {@link #hit}), and a missing (MISS),
 * expired (EXPIRED) or, with {@code cache_control}, too old for the request (STALE) one is fetched:
 * one request per key fetches, others wait up to 5 s for its result (nginx's proxy_cache_lock). In
 * header_filter the response is judged storable (status, {@code no_cache}, the upstream's
 * Cache-Control and Vary, Set-Cookie) and, if so, copied to the store as it streams to the client,
 * committed when it is complete.
 *
 * <p>The two strategies keep APISIX's differences: memory entries live {@code cache_ttl} (or, with
 * {@code cache_control}, what the upstream says); disk entries, as nginx's, live what the upstream
 * says, else the zones' {@code cache_ttl}; a method not cached is MISS in memory, BYPASS on disk;
 * a bypassed response is stored on disk, not in memory.
 */
final class ProxyCacheInstance implements PluginInstance {
    private static final AttributeKey<Exchange> STATE = AttributeKey.of("proxy-cache", Exchange.class);
    private static final String STATUS_HEADER = "Apisix-Cache-Status";
    /** Not stored: about one connection or one answer, or the cache's own. */
    private static final Set<String> NOT_STORED = Set.of("connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
            "te", "trailer", "trailers", "transfer-encoding", "upgrade", "content-length", "apisix-cache-status", "date", "age");
    private static final Set<String> IDENTITY_VARS = Set.of("$consumer_name", "$consumer_group_id", "$remote_user", "$http_authorization");
    private static final long LOCK_WAIT_MILLIS = 5_000;

    /** What the plugin decided for one request. */
    static final class Exchange {
        String base;
        String status;
        boolean hit;
        boolean mayStore;
        String storageKey;
        CompletableFuture<Void> claim;
        String claimKey;
        CacheStore.Writer writer;
        List<String> vary = List.of();
        /** A disk hit read in access, answered before the proxy. */
        PhaseResult diskHit;
        /** The body's length as the response head declares it, or -1; and what was stored of it. */
        long declared = -1;
        long written;
    }

    private final ProxyCachePlugin.Settings config;
    private final boolean memory;
    private final CacheZoneState zone;
    private final long zoneTtlMillis;
    private final Clock clock;
    private final Set<String> methods;
    private final Set<Integer> statuses;
    private final boolean isolateConsumers;

    ProxyCacheInstance(ProxyCachePlugin.Settings config, boolean memory, CacheZoneState zone, long zoneTtlMillis, Clock clock) {
        this.config = config;
        this.memory = memory;
        this.zone = zone;
        this.zoneTtlMillis = zoneTtlMillis;
        this.clock = clock;
        this.methods = Set.copyOf(config.cacheMethod());
        this.statuses = Set.copyOf(config.cacheHttpStatus());
        this.isolateConsumers = config.consumerIsolation() && config.cacheKey().stream().noneMatch(IDENTITY_VARS::contains);
    }

    /** The values of {@code parts} joined: {@code $name} a variable (absent: empty), anything else as written. */
    private static String value(List<String> parts, PluginContext context) {
        StringBuilder value = new StringBuilder();
        for (String part : parts) {
            value.append(part(part, context));
        }
        return value.toString();
    }

    private static String part(String part, PluginContext context) {
        if (!part.startsWith("$")) {
            return part;
        }
        String var = context.var(part.substring(1));
        return var == null ? "" : var;
    }

    /**
     * The cache key: each part's value after its length, so that no value (a decoded {@code %00} in
     * an argument, say) can make one request's key equal to another's, or to a variant's.
     */
    private String key(PluginContext context) {
        StringBuilder key = new StringBuilder();
        String consumer = isolateConsumers ? context.consumer().orElse(null) : null;
        if (consumer != null && !consumer.isEmpty()) {
            key.append('u').append(consumer.length()).append(':').append(consumer);
        }
        for (String part : config.cacheKey()) {
            String value = part(part, context);
            key.append(value.length()).append(':').append(value);
        }
        return key.toString();
    }

    /** As APISIX reads cache_bypass and no_cache: set unless empty or "0". */
    private static boolean holds(List<String> parts, PluginContext context) {
        if (parts == null) {
            return false;
        }
        String value = value(parts, context);
        return !value.isEmpty() && !value.equals("0");
    }

    @Override
    public PhaseResult access(PluginContext context) {
        Exchange x = new Exchange();
        context.setAttribute(STATE, x);
        x.base = key(context);
        String method = context.request().method();
        if ("PURGE".equals(method)) {
            return PhaseResult.respond(zone.purge(x.base) ? 200 : 404, Map.of(), new byte[0]);
        }
        if (!methods.contains(method)) {
            x.status = memory ? "MISS" : "BYPASS";
            return PhaseResult.proceed();
        }
        if (holds(config.cacheBypass(), context)) {
            x.status = "BYPASS";
            x.mayStore = !memory && !"HEAD".equals(method);  // nginx's proxy_cache_bypass still stores the answer
            return PhaseResult.proceed();
        }
        CacheControl asked = memory && config.cacheControl()
                ? CacheControl.parse(String.join(", ", context.request().headers("Cache-Control"))) : CacheControl.NONE;
        if (asked.has("no-store") || asked.has("no-cache")) {
            x.status = "BYPASS";
            return PhaseResult.proceed();
        }
        return lookup(context, x, asked, true);
    }

    private PhaseResult lookup(PluginContext context, Exchange x, CacheControl asked, boolean mayWait) {
        String key = zone.storageKey(x.base, context);
        CachedEntry entry = zone.store.entry(key);
        long now = clock.millis();
        if (entry == null) {
            x.status = "MISS";
            if (asked.has("only-if-cached")) {
                return PhaseResult.respond(504, Map.of(STATUS_HEADER, "MISS"), new byte[0]);
            }
        } else if (!entry.freshAt(now)) {
            x.status = "EXPIRED";
        } else if (tooOldFor(asked, entry, now)) {
            x.status = "STALE";
        } else {
            return hit(context, x, key, entry, now);
        }
        x.mayStore = !"HEAD".equals(context.request().method());  // a HEAD answer has no body to keep
        if (mayWait) {
            CompletableFuture<Void> claim = zone.claim(key);
            if (claim != null) {
                x.claim = claim;
                x.claimKey = key;
            } else {
                CompletableFuture<Void> other = zone.awaiting(key);
                if (other != null) {
                    return PhaseResult.later(other.copy().completeOnTimeout(null, LOCK_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                            .thenApplyAsync(done -> lookup(context, x, asked, false), context.requestThread()));
                }
            }
        }
        return PhaseResult.proceed();
    }

    /** The request's own limits (memory zones with cache_control): max-age, max-stale, min-fresh. */
    private static boolean tooOldFor(CacheControl asked, CachedEntry entry, long now) {
        double age = (now - entry.storedAtMillis()) / 1000.0;
        Long maxAge = asked.seconds("max-age");
        Long maxStale = asked.seconds("max-stale");
        Long minFresh = asked.seconds("min-fresh");
        return maxAge != null && age > maxAge
                || maxStale != null && age - entry.ttlMillis() / 1000.0 > maxStale
                || minFresh != null && entry.ttlMillis() / 1000.0 - age < minFresh;
    }

    /**
     * A memory hit is answered at once, in access, as APISIX answers it. A disk hit is read (off the
     * IO thread) in access but answered just before the proxy, as nginx serves its cache after the
     * access phase: the route's limits and other access plugins still run for it.
     */
    private PhaseResult hit(PluginContext context, Exchange x, String key, CachedEntry entry, long now) {
        if (entry.body() != null) {
            return answer(context, x, entry, entry.body(), now);
        }
        if ("HEAD".equals(context.request().method())) {
            x.diskHit = answer(context, x, entry, new byte[0], now);
            return PhaseResult.proceed();
        }
        return PhaseResult.later(zone.store.body(key, entry).thenApplyAsync(body -> {
            if (body == null) {  // gone meanwhile: fetch it
                x.status = "MISS";
                x.mayStore = true;
                return PhaseResult.proceed();
            }
            x.diskHit = answer(context, x, entry, body, clock.millis());
            return PhaseResult.proceed();
        }, context.requestThread()));
    }

    @Override
    public PhaseResult beforeProxy(PluginContext context) {
        Exchange x = context.attribute(STATE);
        return x == null || x.diskHit == null ? PhaseResult.proceed() : x.diskHit;
    }

    private PhaseResult answer(PluginContext context, Exchange x, CachedEntry entry, byte[] body, long now) {
        x.hit = true;
        x.status = "HIT";
        boolean head = "HEAD".equals(context.request().method());
        long age = entry.ageSeconds(now);
        PhaseResult kept = head ? null : entry.answer(age, config.hideCacheHeaders());
        if (kept != null) {
            return kept;  // the hits of one second share one answer
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        entry.headers().forEach((name, values) -> {
            if (!(config.hideCacheHeaders() && (name.equalsIgnoreCase("Expires") || name.equalsIgnoreCase("Cache-Control")))) {
                headers.put(name, values);
            }
        });
        headers.put("Age", List.of(Long.toString(age)));
        headers.put(STATUS_HEADER, List.of("HIT"));
        PhaseResult answer = PhaseResult.respondWithHeaders(entry.status(), headers, head ? new byte[0] : body);
        if (!head && entry.body() != null) {
            entry.keepAnswer(age, config.hideCacheHeaders(), answer);  // a disk entry's body is read anew each time
        }
        return answer;
    }

    @Override
    public void headerFilter(PluginContext context) {
        Exchange x = context.attribute(STATE);
        if (x == null || x.hit) {
            return;
        }
        PluginContext.Response response = context.response();
        if (x.status != null) {
            response.setHeader(STATUS_HEADER, x.status);
        }
        if (x.mayStore) {
            startStoring(context, x);
        }
        if (x.writer == null) {
            release(x);  // nothing will be stored: requests waiting for it go on now
        }
        if (config.hideCacheHeaders()) {
            response.removeHeader("Expires");
            response.removeHeader("Cache-Control");
        }
    }

    private void startStoring(PluginContext context, Exchange x) {
        PluginContext.Response response = context.response();
        if (!statuses.contains(response.status()) || holds(config.noCache(), context)) {
            return;
        }
        CacheControl said = CacheControl.parse(String.join(", ", response.headers("Cache-Control")));
        if (said.has("private") || said.has("no-store") || said.has("no-cache")) {
            return;
        }
        if (!config.cacheSetCookie() && response.header("Set-Cookie") != null) {
            return;
        }
        List<String> vary = varyHeaders(String.join(",", response.headers("Vary")));
        if (vary == null) {
            return;  // Vary: * is never a hit
        }
        if (response.header("Content-Encoding") != null && !vary.contains("accept-encoding")) {
            // encoded for this client (by a compression plugin, perhaps): another may not accept that coding
            TreeSet<String> withEncoding = new TreeSet<>(vary);
            withEncoding.add("accept-encoding");
            vary = List.copyOf(withEncoding);
        }
        long now = clock.millis();
        Long lifetime = said.lifetimeMillis(response.header("Expires"), now);
        long ttl = memory ? (config.cacheControl() ? (lifetime == null ? 0 : lifetime) : config.cacheTtl() * 1000L)
                : lifetime != null ? lifetime : zoneTtlMillis;
        if (ttl <= 0) {
            return;
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.forEachHeader((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!NOT_STORED.contains(lower) && !lower.contains("ratelimit-remaining")) {
                headers.put(name, List.copyOf(values));
            }
        });
        x.vary = vary;
        x.storageKey = vary.isEmpty() ? x.base : CacheZoneState.variantKey(x.base, vary, context);
        CachedEntry head = new CachedEntry(response.status(), Collections.unmodifiableMap(headers), now, ttl, null, 0);
        String length = response.header("Content-Length");
        x.declared = length == null ? -1 : parseLength(length);
        x.writer = zone.store.writer(x.storageKey, head, config.maxRespBodySize());
    }

    private static long parseLength(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The Vary header's names, lower case and sorted (order does not matter); null for {@code *}. */
    private static List<String> varyHeaders(String vary) {
        if (vary == null || vary.isBlank()) {
            return List.of();
        }
        TreeSet<String> names = new TreeSet<>();
        for (String name : vary.split(",")) {
            String trimmed = name.trim().toLowerCase(Locale.ROOT);
            if (trimmed.equals("*")) {
                return null;
            }
            if (!trimmed.isEmpty()) {
                names.add(trimmed);
            }
        }
        return List.copyOf(new ArrayList<>(names));
    }

    @Override
    public boolean filtersBody() {
        return true;
    }

    @Override
    public ByteBuffer bodyFilter(PluginContext context, ByteBuffer chunk, boolean last) {
        Exchange x = context.attribute(STATE);
        if (x == null || x.writer == null) {
            return chunk;
        }
        int size = chunk.remaining();
        if (size > 0 && !x.writer.write(chunk)) {
            x.writer = null;
            release(x);
            return chunk;
        }
        x.written += size;
        if (last && x.declared >= 0 && x.written != x.declared) {
            x.writer.abort();  // fewer bytes than the head declared: never stored as if complete
            x.writer = null;
            release(x);
            return chunk;
        }
        if (last) {
            x.writer.commit();
            x.writer = null;
            if (x.vary.isEmpty()) {
                zone.dropVariants(x.base);
            } else {
                zone.addVariant(x.base, x.vary, x.storageKey);
            }
            release(x);
        }
        return chunk;
    }

    @Override
    public void log(PluginContext context) {
        Exchange x = context.attribute(STATE);
        if (x == null) {
            return;
        }
        if (x.writer != null) {
            x.writer.abort();  // the response was cut short
            x.writer = null;
        }
        release(x);
    }

    private void release(Exchange x) {
        if (x.claim != null) {
            zone.release(x.claimKey, x.claim);
            x.claim = null;
        }
    }
}
