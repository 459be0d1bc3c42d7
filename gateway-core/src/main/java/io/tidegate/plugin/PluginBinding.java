package io.tidegate.plugin;

import io.tidegate.plugin.api.PluginInstance;

/**
 * One plugin instance in a chain: its name and priority for ordering, and where it was configured
 * ({@code routes[1].plugins.limit-count}) for logs.
 */
public record PluginBinding(String name, int priority, PluginInstance instance, String place) {}
