package io.tidegate.runtime;

import io.tidegate.config.Timeouts;
import io.tidegate.plugin.ConsumerDirectory;
import io.tidegate.plugin.PluginChain;
import io.tidegate.upstream.CompiledUpstream;
import java.util.List;

/**
 * Everything a route needs at request time, resolved from route, service and upstream when the
 * snapshot is built.
 *
 * @param routeName       the route's name, null when it has none (APISIX's {@code $route_name})
 * @param serviceName     its service's name, null when none ({@code $service_name})
 * @param upstream        null when neither the route nor its service has one, or it does not exist
 * @param missingUpstream the id of the upstream the route (or its service) names but that does not
 *                        exist, else null: the route runs its plugins and answers 502 where it
 *                        would proxy, as APISIX does
 * @param timeout         route's, else upstream's, else the global default
 * @param rewriteHost     the Host to send when pass_host is rewrite, else null (node is the client's job)
 * @param missingPlugins  plugins the route uses that no loaded plugin provides (it must not serve)
 * @param unservable      whether the route answers 503 to every request it matches: its own
 *                        configuration, its service or plugin config, or a global rule cannot be
 *                        used, so it cannot know every plugin it must run (the source logged why)
 * @param websocket       whether WebSocket upgrades pass (route's enable_websocket, else its service's)
 * @param globalChain     the global rules' plugins, run first in every phase
 * @param routeChain      the route's plugins merged with its service's and plugin config's
 * @param consumers       consumers whose plugins join once authentication names one
 */
public record RoutePlan(
        String routeId,
        String serviceId,
        String routeName,
        String serviceName,
        CompiledUpstream upstream,
        String missingUpstream,
        Timeouts timeout,
        String rewriteHost,
        List<String> missingPlugins,
        boolean unservable,
        boolean websocket,
        PluginChain globalChain,
        PluginChain routeChain,
        ConsumerDirectory consumers) {

    /** A route that only matches requests, to answer them 503. */
    public static RoutePlan unservable(String routeId, Timeouts timeout) {
        return new RoutePlan(routeId, null, null, null, null, null, timeout, null, List.of(), true, false, PluginChain.EMPTY,
                PluginChain.EMPTY, ConsumerDirectory.EMPTY);
    }

    /** Whether a plugin that may run for this route can send a request to an upstream of its own (traffic-split). */
    public boolean choosesUpstreams() {
        return globalChain.choosesUpstreams() || routeChain.choosesUpstreams() || consumers.choosesUpstreams();
    }

    /** Whether any plugin can run for this route at all. */
    public boolean hasPlugins() {
        return !globalChain.isEmpty() || !routeChain.isEmpty();
    }
}
