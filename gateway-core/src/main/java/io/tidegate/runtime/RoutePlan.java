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
 * @param upstream       null when neither the route nor its service has one
 * @param timeout        route's, else upstream's, else the global default
 * @param rewriteHost    the Host to send when pass_host is rewrite, else null (node is the client's job)
 * @param missingPlugins plugins the route uses that no loaded plugin provides (it must not serve)
 * @param websocket      whether WebSocket upgrades pass (route's enable_websocket, else its service's)
 * @param globalChain    the global rules' plugins, run first in every phase
 * @param routeChain     the route's plugins merged with its service's and plugin config's
 * @param consumers      consumers whose plugins join once authentication names one
 */
public record RoutePlan(
        String routeId,
        String serviceId,
        CompiledUpstream upstream,
        Timeouts timeout,
        String rewriteHost,
        List<String> missingPlugins,
        boolean websocket,
        PluginChain globalChain,
        PluginChain routeChain,
        ConsumerDirectory consumers) {

    /** Whether any plugin can run for this route at all. */
    public boolean hasPlugins() {
        return !globalChain.isEmpty() || !routeChain.isEmpty();
    }
}
