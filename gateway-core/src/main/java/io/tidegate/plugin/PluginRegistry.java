package io.tidegate.plugin;

import io.tidegate.plugin.api.GatewayPlugin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin jars of {@code plugins-dist/} and the plugin types they provide. {@link #sync} brings
 * the loaded set in line with the folder: new jars load, replaced jars reload, removed jars unload.
 *
 * <p>Each jar is copied to a private staging folder before loading, so a jar overwritten in place
 * never corrupts classes a loaded version still reads. An old version's class loader is closed
 * only after {@code grace}, so requests that started with it finish with it.
 */
public final class PluginRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PluginRegistry.class);

    private final Path dir;
    private final Path staging;
    private final long graceMillis;
    private final ScheduledExecutorService retirements;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<Path, LoadedJar> jars = new HashMap<>();
    /** Jars that failed to load, by fingerprint, so a broken file is reported once, not every scan. */
    private final Map<Path, Fingerprint> failed = new HashMap<>();
    private volatile PluginCatalog catalog = PluginCatalog.EMPTY;

    /**
     * @param dir         the plugin folder (created when missing)
     * @param graceMillis how long an unloaded version's classes stay usable for requests in flight
     */
    public PluginRegistry(Path dir, long graceMillis) {
        this.dir = dir.toAbsolutePath().normalize();
        this.graceMillis = graceMillis;
        try {
            Files.createDirectories(this.dir);
            this.staging = Files.createTempDirectory("tidegate-plugins");
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare the plugin folder " + this.dir + ": " + e.getMessage(), e);
        }
        this.retirements = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tidegate-plugin-retire");
            t.setDaemon(true);
            return t;
        });
    }

    public Path dir() {
        return dir;
    }

    public PluginCatalog catalog() {
        return catalog;
    }

    private record Fingerprint(long size, long modified) {
        static Fingerprint of(Path file) throws IOException {
            return new Fingerprint(Files.size(file), Files.getLastModifiedTime(file).toMillis());
        }
    }

    private record LoadedJar(Fingerprint fingerprint, JarPluginManager manager, String pluginId, Path staged,
                             List<LoadedPlugin> plugins) {}

    /** Loads, reloads and unloads to match the folder. Returns true when the catalog changed. */
    public synchronized boolean sync() {
        Map<Path, Fingerprint> present = scan();
        boolean changed = false;
        for (Path gone : new ArrayList<>(jars.keySet())) {
            if (!present.containsKey(gone)) {
                log.info("plugin jar {} removed: unloading {}", gone.getFileName(), names(jars.get(gone)));
                retire(jars.remove(gone));
                changed = true;
            }
        }
        failed.keySet().retainAll(present.keySet());
        for (Map.Entry<Path, Fingerprint> entry : present.entrySet()) {
            Path jar = entry.getKey();
            LoadedJar current = jars.get(jar);
            if (current != null && current.fingerprint().equals(entry.getValue())) {
                continue;
            }
            if (entry.getValue().equals(failed.get(jar))) {
                continue;
            }
            LoadedJar loaded = load(jar, entry.getValue());
            if (loaded == null) {
                failed.put(jar, entry.getValue());
                continue; // a broken new version leaves the old one serving
            }
            failed.remove(jar);
            log.info("plugin jar {} {}: {} (plugin id {}, version {})", jar.getFileName(),
                    current == null ? "loaded" : "reloaded", names(loaded), loaded.pluginId(),
                    loaded.plugins().isEmpty() ? "?" : loaded.plugins().get(0).version());
            jars.put(jar, loaded);
            if (current != null) {
                retire(current);
            }
            changed = true;
        }
        if (changed) {
            catalog = buildCatalog();
        }
        return changed;
    }

    private Map<Path, Fingerprint> scan() {
        Map<Path, Fingerprint> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().endsWith(".jar") && Files.isRegularFile(file)) {
                    try {
                        out.put(file, Fingerprint.of(file));
                    } catch (IOException e) {
                        // vanished between listing and reading: it is simply not there
                    }
                }
            }
        } catch (IOException e) {
            log.error("cannot list the plugin folder {}: {}", dir, e.getMessage());
            // keep what is loaded rather than unload everything on a transient error
            Map<Path, Fingerprint> unchanged = new TreeMap<>();
            jars.forEach((path, jar) -> unchanged.put(path, jar.fingerprint()));
            return unchanged;
        }
        return out;
    }

    private LoadedJar load(Path jar, Fingerprint fingerprint) {
        String base = jar.getFileName().toString().replaceAll("\\.jar$", "");
        Path staged = staging.resolve(base + "-" + sequence.incrementAndGet() + ".jar");
        JarPluginManager manager = null;
        try {
            Files.copy(jar, staged, StandardCopyOption.REPLACE_EXISTING);
            manager = new JarPluginManager(staging);
            String pluginId = manager.loadPlugin(staged);
            manager.startPlugin(pluginId);
            String version = manager.getPlugin(pluginId).getDescriptor().getVersion();
            List<LoadedPlugin> plugins = new ArrayList<>();
            for (GatewayPlugin<?> plugin : manager.getExtensions(GatewayPlugin.class, pluginId)) {
                // a schema that does not compile fails the whole jar: the version serving now stays
                plugins.add(LoadedPlugin.of(plugin, pluginId, version, jar.getFileName().toString()));
            }
            if (plugins.isEmpty()) {
                log.warn("plugin jar {} (plugin id {}) provides no GatewayPlugin extension", jar.getFileName(), pluginId);
            }
            return new LoadedJar(fingerprint, manager, pluginId, staged, List.copyOf(plugins));
        } catch (Exception | LinkageError e) {
            log.error("plugin jar {} could not be loaded: {}", jar.getFileName(), e.toString());
            if (manager != null) {
                try {
                    manager.unloadPlugins();
                } catch (RuntimeException ignored) {
                    // best effort: the manager is dropped either way
                }
            }
            deleteQuietly(staged);
            return null;
        }
    }

    private PluginCatalog buildCatalog() {
        Map<String, LoadedPlugin> byName = new LinkedHashMap<>();
        for (LoadedJar jar : jars.values()) {
            for (LoadedPlugin plugin : jar.plugins()) {
                LoadedPlugin first = byName.putIfAbsent(plugin.name(), plugin);
                if (first != null) {
                    log.error("plugin name {} is provided by both {} and {}; using {}", plugin.name(), first.jar(), plugin.jar(), first.jar());
                }
            }
        }
        return new PluginCatalog(byName);
    }

    /** Closes an old version after the grace period, when no request can still be using it. */
    private void retire(LoadedJar jar) {
        retirements.schedule(() -> {
            try {
                jar.manager().unloadPlugin(jar.pluginId());
            } catch (RuntimeException e) {
                log.warn("unloading plugin {} failed: {}", jar.pluginId(), e.toString());
            }
            deleteQuietly(jar.staged());
        }, graceMillis, TimeUnit.MILLISECONDS);
    }

    private static List<String> names(LoadedJar jar) {
        return jar.plugins().stream().map(LoadedPlugin::name).toList();
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }

    @Override
    public synchronized void close() {
        retirements.shutdownNow();
        for (LoadedJar jar : jars.values()) {
            try {
                jar.manager().unloadPlugin(jar.pluginId());
            } catch (RuntimeException ignored) {
                // shutting down
            }
            deleteQuietly(jar.staged());
        }
        jars.clear();
        deleteQuietly(staging);
    }
}
