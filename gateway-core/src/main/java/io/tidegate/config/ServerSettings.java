package io.tidegate.config;

import java.util.List;

/**
 * The {@code tidegate:} section: how the server runs.
 *
 * @param ioThreads          Undertow IO threads (default: number of cores)
 * @param listeners          client-facing HTTP listeners
 * @param clientMaxBodySize  largest request body accepted, bytes; 0 = unlimited (APISIX's default)
 * @param defaultTimeout     upstream timeouts when neither the route nor its upstream sets one
 * @param status             the status listener, or null when disabled
 * @param pluginsDir         the plugin folder (absolute; a relative setting is taken from the config file's folder)
 * @param resourcesFile      an APISIX {@code apisix.yaml} holding the resources, or null
 * @param trustedCas         PEM bundle (the file's content) that verified upstream TLS trusts, or null for the JVM's
 * @param dnsRefreshSeconds  how often upstream host names are resolved again
 * @param pluginGraceSeconds how long a replaced plugin version or configuration version stays
 *                           usable for requests that started with it
 * @param accessLogPath      where the access log goes (absolute), or null when it is off
 * @param metrics            the Prometheus exporter (its listener and names), or null when metrics are off
 * @param upgradeSocket      the Unix socket (absolute path) on which a newer gateway started with
 *                           {@code --upgrade} asks this one to hand its ports over, or null when off
 */
public record ServerSettings(
        int ioThreads,
        List<ListenerSettings> listeners,
        long clientMaxBodySize,
        Timeouts defaultTimeout,
        ListenerSettings status,
        String pluginsDir,
        String resourcesFile,
        String trustedCas,
        double dnsRefreshSeconds,
        double pluginGraceSeconds,
        String accessLogPath,
        MetricsSettings metrics,
        EtcdSettings etcd,
        AdminSettings admin,
        RequestLimits limits,
        double shutdownGraceSeconds,
        String pidFile,
        io.tidegate.plugin.api.CacheZones proxyCache,
        String upgradeSocket,
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> pluginAttributes) {

    public ServerSettings {
        pluginAttributes = java.util.Map.copyOf(pluginAttributes);
    }

    /** These settings with other listeners (the one part that applies without a restart). */
    public ServerSettings withListeners(List<ListenerSettings> other) {
        return new ServerSettings(ioThreads, other, clientMaxBodySize, defaultTimeout, status, pluginsDir, resourcesFile, trustedCas,
                dnsRefreshSeconds, pluginGraceSeconds, accessLogPath, metrics, etcd, admin, limits, shutdownGraceSeconds, pidFile,
                proxyCache, upgradeSocket, pluginAttributes);
    }
}
