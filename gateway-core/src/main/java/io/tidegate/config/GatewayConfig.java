package io.tidegate.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One whole configuration: server settings, the resources it serves, the folder relative paths in
 * it are taken from, and the files it was read from (the configuration file first, then its
 * {@code resources_file} if any), which the gateway watches for changes.
 */
public record GatewayConfig(ServerSettings server, Resources resources, Path baseDir, List<Path> sources) {

    /** The configuration file itself. */
    public Path file() {
        return sources.get(0);
    }
}
