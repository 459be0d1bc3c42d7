package io.tidegate.plugin.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's cache zones ({@code tidegate.proxy_cache}), for proxy-cache.
 *
 * @param cacheTtl how long a disk zone keeps a response its upstream gave no lifetime
 *                 (nginx's {@code proxy_cache_valid}; APISIX's {@code proxy_cache.cache_ttl})
 */
public record CacheZones(Duration cacheTtl, List<CacheZone> zones) {
    /** APISIX's defaults: {@code disk_cache_one} on disk and {@code memory_cache} in memory, entries 10 s. */
    public static final CacheZones DEFAULT = new CacheZones(Duration.ofSeconds(10), List.of(
            new CacheZone("disk_cache_one", 50L << 20, 1L << 30, Path.of("/tmp/disk_cache_one"), "1:2"),
            new CacheZone("memory_cache", 50L << 20, 0, null, null)));

    public CacheZones {
        zones = List.copyOf(zones);
    }

    public Optional<CacheZone> find(String name) {
        return zones.stream().filter(zone -> zone.name().equals(name)).findFirst();
    }
}
