package io.tidegate.plugin;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** The plugin types loaded at one moment, by name. Immutable: a reload brings a new catalog. */
public final class PluginCatalog {
    public static final PluginCatalog EMPTY = new PluginCatalog(Map.of());

    private final Map<String, LoadedPlugin> byName;

    public PluginCatalog(Map<String, LoadedPlugin> byName) {
        this.byName = Map.copyOf(byName);
    }

    public LoadedPlugin get(String name) {
        return byName.get(name);
    }

    /** Sorted by name, for display. */
    public Collection<LoadedPlugin> all() {
        return new TreeMap<>(byName).values();
    }
}
