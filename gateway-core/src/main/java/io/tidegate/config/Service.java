package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** A service: plugins, upstream and hosts shared by the routes that name it. */
public record Service(
        String id,
        String name,
        Map<String, JsonNode> plugins,
        Upstream upstream,
        String upstreamId,
        Boolean enableWebsocket,
        List<String> hosts) {}
