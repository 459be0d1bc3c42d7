package io.tidegate.plugins.proxycache;

import io.tidegate.plugin.api.CacheZone;
import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.util.List;
import org.pf4j.Extension;

/**
 * APISIX's {@code proxy-cache} (priority 1085): responses kept in a memory zone or a disk zone of
 * {@code tidegate.proxy_cache} and answered from there; see {@link ProxyCacheInstance}.
 */
@Extension
public final class ProxyCachePlugin implements GatewayPlugin<ProxyCachePlugin.Settings> {
    public record Settings(long maxRespBodySize, String cacheZone, String cacheStrategy, List<String> cacheKey,
                           List<Integer> cacheHttpStatus, List<String> cacheMethod, boolean hideCacheHeaders, boolean cacheControl,
                           List<String> cacheBypass, List<String> noCache, int cacheTtl, boolean consumerIsolation,
                           boolean cacheSetCookie) {}

    /** A zone's shared state is one per zone definition and strategy. */
    private record ZoneKey(CacheZone zone, boolean memory) {}

    @Override
    public String name() {
        return "proxy-cache";
    }

    @Override
    public int priority() {
        return 1085;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/proxy-cache.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        for (String key : config.cacheKey()) {
            if (key.equals("$request_method")) {
                throw new PluginConfigException("cache_key", "cache_key variable " + key + " unsupported");
            }
        }
        boolean memory = "memory".equals(config.cacheStrategy());
        CacheZone zone = services.cacheZones().find(config.cacheZone()).orElseThrow(() ->
                new PluginConfigException("cache_zone", "cache_zone " + config.cacheZone() + " not found"));
        if (memory == zone.onDisk()) {
            throw new PluginConfigException("cache_zone", "invalid or empty cache_zone for cache_strategy: " + config.cacheStrategy());
        }
        CacheZoneState state;
        try {
            state = services.shared(new ZoneKey(zone, memory), () -> new CacheZoneState(memory
                    ? new MemoryStore(zone.memorySize()) : new DiskStore(zone, services.log())));
        } catch (java.io.UncheckedIOException e) {
            throw new PluginConfigException("cache_zone", e.getMessage());
        }
        return new ProxyCacheInstance(config, memory, state, services.cacheZones().cacheTtl().toMillis(), java.time.Clock.systemUTC());
    }
}
