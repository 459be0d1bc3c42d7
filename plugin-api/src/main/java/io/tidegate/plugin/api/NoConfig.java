package io.tidegate.plugin.api;

/** The configuration of a plugin that has no settings ({@link ConfigSchema#none()}). */
public record NoConfig() {}
