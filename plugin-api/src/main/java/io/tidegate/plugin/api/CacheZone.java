package io.tidegate.plugin.api;

import java.nio.file.Path;

/**
 * One cache zone of {@code tidegate.proxy_cache.zones} (APISIX's {@code apisix.proxy_cache.zones}):
 * a memory zone has no disk path; a disk zone keeps entries under {@code diskPath}, at most
 * {@code diskSize} bytes, its index in {@code memorySize}.
 *
 * @param cacheLevels nginx's {@code levels}: one or two characters per folder level, e.g. {@code "1:2"}
 */
public record CacheZone(String name, long memorySize, long diskSize, Path diskPath, String cacheLevels) {
    public boolean onDisk() {
        return diskPath != null;
    }
}
