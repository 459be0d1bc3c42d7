package io.tidegate.runtime;

import io.tidegate.route.Router;
import io.tidegate.tls.CertificateTable;

/**
 * Everything compiled from one configuration version. Immutable: a request reads the current
 * snapshot once and uses only it, so a configuration change never shows half-applied.
 */
public record Snapshot(long version, Router<ActiveRoute> router, CertificateTable certificates, int routeCount,
                       int upstreamCount, PluginUse plugins) {

    /** Releases what this version's plugin instances hold (those no later version uses); called once no request can use it. */
    public void close() {
        plugins.close();
    }
}
