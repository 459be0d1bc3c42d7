package io.tidegate.config;

/** One whole configuration: server settings and the resources it serves. */
public record GatewayConfig(ServerSettings server, Resources resources) {}
