package io.tidegate.runtime;

import io.tidegate.upstream.UpstreamTarget;
import io.tidegate.route.Router;
import io.tidegate.tls.CertificateTable;
import java.util.List;
import java.util.Map;

/**
 * Everything compiled from one configuration version. Immutable: a request reads the current
 * snapshot once and uses only it, so a configuration change never shows half-applied.
 */
public record Snapshot(long version, Router<ActiveRoute> router, ActiveRoute unmatched, CertificateTable certificates,
                       int routeCount, int upstreamCount, PluginUse plugins, Map<String, List<String>> pluginsNotLoaded,
                       Map<String, UpstreamTarget> upstreams, Map<String, RoutePlan> plans) {
    /**
     * @param unmatched what answers requests no route matches (the global rules, then 404)
     * @param pluginsNotLoaded by route id, the plugins each route names that no loaded jar
     *                         provides (those routes answer 503)
     * @param upstreams        the configured upstreams by id, for plugins that send a request to one
     *                         (traffic-split's upstream_id)
     * @param plans            every routed route's plan by id: what it runs, for the dashboard
     */
    public Snapshot {
        pluginsNotLoaded = Map.copyOf(pluginsNotLoaded);
        upstreams = Map.copyOf(upstreams);
        plans = Map.copyOf(plans);
    }

    /** Releases what this version's plugin instances hold (those no later version uses); called once no request can use it. */
    public void close() {
        plugins.close();
    }
}
