package io.tidegate.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One whole configuration: server settings, the resources it serves, the folder relative paths in
 * it are taken from, and the files it was read from (the configuration file first, then its
 * {@code resources_file} if any), which the gateway watches for changes, with a digest of the
 * text read from each.
 */
public record GatewayConfig(ServerSettings server, Resources resources, Path baseDir, List<Path> sources,
                            List<SourceStamp> stamps) {
    /** Read from text, not from files: nothing to compare with the files later. */
    public GatewayConfig(ServerSettings server, Resources resources, Path baseDir, List<Path> sources) {
        this(server, resources, baseDir, sources, List.of());
    }

    /** Whether every file it was read from is still as it was read (false when that cannot be told). */
    public boolean sourcesUnchanged() {
        return !stamps.isEmpty() && stamps.size() == sources.size() && stamps.stream().allMatch(SourceStamp::unchanged);
    }


    /** The configuration file itself. */
    public Path file() {
        return sources.get(0);
    }
}
