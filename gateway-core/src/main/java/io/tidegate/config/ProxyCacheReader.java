package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.CacheZone;
import io.tidegate.plugin.api.CacheZones;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code tidegate.proxy_cache}, APISIX's {@code apisix.proxy_cache}: {@code cache_ttl} (nginx
 * time such as {@code 10s}, or seconds) and {@code zones}, each with {@code name},
 * {@code memory_size}, and for a disk zone {@code disk_size}, {@code disk_path} (relative to the
 * configuration's folder) and {@code cache_levels}. Absent: APISIX's two default zones.
 */
final class ProxyCacheReader {
    private static final Set<String> FIELDS = Set.of("cache_ttl", "zones");
    private static final Set<String> ZONE_FIELDS = Set.of("name", "memory_size", "disk_size", "disk_path", "cache_levels");
    private static final Pattern NGINX_TIME = Pattern.compile("(\\d+)(ms|s|m|h|d)?");
    private static final Pattern LEVELS = Pattern.compile("[12](:[12]){0,2}");

    private final Problems problems;
    private final Path baseDir;

    ProxyCacheReader(Problems problems, Path baseDir) {
        this.problems = problems;
        this.baseDir = baseDir;
    }

    CacheZones read(Fields parent) {
        if (!parent.has("proxy_cache")) {
            return CacheZones.DEFAULT;
        }
        Fields f = parent.object("proxy_cache", FIELDS);
        if (f == null) {
            return CacheZones.DEFAULT;
        }
        Duration ttl = ttl(f);
        JsonNode list = f.raw("zones");
        if (list == null) {
            return new CacheZones(ttl, CacheZones.DEFAULT.zones());
        }
        if (!list.isArray() || list.isEmpty()) {
            f.report("zones", "must be a non-empty list");
            return CacheZones.DEFAULT;
        }
        List<CacheZone> zones = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Fields z = Fields.open(list.get(i), Problems.index(f.path("zones"), i), problems, ZONE_FIELDS);
            if (z == null) {
                continue;
            }
            String name = z.requiredString("name");
            if (name != null && !names.add(name)) {
                z.report("name", "duplicate zone \"" + name + "\"");
            }
            long memory = z.has("memory_size") ? ServerSettingsReader.byteSize(z, "memory_size") : 0;
            if (memory <= 0) {
                z.report("memory_size", "is required (a size such as 50m)");
            }
            String diskPath = z.string("disk_path", null, 1, 4096);
            long disk = z.has("disk_size") ? ServerSettingsReader.byteSize(z, "disk_size") : 0;
            String levels = z.string("cache_levels", diskPath == null ? null : "1:2", 1, 5);
            if (diskPath != null && disk <= 0) {
                z.report("disk_size", "is required with disk_path (a size such as 1G)");
            }
            if (diskPath == null && (z.has("disk_size") || z.has("cache_levels"))) {
                z.report("disk_path", "is required with disk_size and cache_levels");
            }
            if (levels != null && !LEVELS.matcher(levels).matches()) {
                z.report("cache_levels", "must be one to three levels of 1 or 2 characters, such as 1:2");
            }
            zones.add(new CacheZone(name, memory, disk, diskPath == null ? null : baseDir.resolve(diskPath).normalize(), levels));
        }
        return new CacheZones(ttl, zones);
    }

    private Duration ttl(Fields f) {
        JsonNode value = f.raw("cache_ttl");
        if (value == null) {
            return CacheZones.DEFAULT.cacheTtl();
        }
        if (value.isNumber() && value.doubleValue() > 0) {
            return Duration.ofMillis(Math.round(value.doubleValue() * 1000));
        }
        Matcher m = value.isTextual() ? NGINX_TIME.matcher(value.textValue().trim()) : null;
        if (m != null && m.matches() && Long.parseLong(m.group(1)) > 0) {
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofSeconds(n);
            };
        }
        f.report("cache_ttl", "must be a time above 0 such as 10s, 5m, 1h, or seconds");
        return CacheZones.DEFAULT.cacheTtl();
    }
}
