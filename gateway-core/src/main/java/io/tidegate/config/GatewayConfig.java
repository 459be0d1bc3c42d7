package io.tidegate.config;

/**
 * One whole configuration: server settings, the resources it serves, and the folder relative
 * paths in it are taken from.
 */
public record GatewayConfig(ServerSettings server, Resources resources, java.nio.file.Path baseDir) {}
