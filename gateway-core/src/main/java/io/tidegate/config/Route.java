package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A route as configured (APISIX's schema). {@code uris} holds {@code uri} or {@code uris};
 * {@code hosts} holds {@code host} or {@code hosts}; same for {@code remoteAddrs}. Empty lists mean
 * "any". {@code timeout} and {@code enableWebsocket} are null when not set.
 */
public record Route(
        String id,
        String name,
        List<String> uris,
        List<String> hosts,
        List<String> remoteAddrs,
        Set<String> methods,
        int priority,
        List<VarRule> vars,
        Map<String, JsonNode> plugins,
        String pluginConfigId,
        Upstream upstream,
        String upstreamId,
        String serviceId,
        Timeouts timeout,
        Boolean enableWebsocket,
        boolean enabled) {}
