package io.tidegate.plugin;

import io.tidegate.plugin.api.GatewayPlugin;

/** A plugin type available to configurations, and where it came from. */
public record LoadedPlugin(String name, GatewayPlugin plugin, String pluginId, String version, String jar) {}
