package io.tidegate.plugin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.UpstreamRef;
import java.util.List;

/**
 * Compiles the upstreams written in plugin configurations (traffic-split's) for one configuration
 * version. What each compiles is recorded in the instance's binding, so that a later version that
 * keeps the instance keeps its connection pools and health checks too.
 */
public interface PluginUpstreams {
    /** Where a version's compiler cannot take upstreams (checking consumers' credentials). */
    PluginUpstreams NONE = (name, path, config, held) -> {
        throw new PluginConfigException("", "an upstream cannot be used here");
    };

    /** What a compiled upstream holds open; only the version compiler reads it. */
    interface Held {}

    /** Held by an instance that names a configured upstream by id: it holds nothing open, but chooses upstreams. */
    Held BY_ID = new Held() {};

    /**
     * The upstream is invalid and its problems are reported already (each at its own field, not
     * only the first, as for a route's upstream); the plugin instance is not made.
     */
    final class Reported extends RuntimeException {
        public Reported() {
            super("the upstream's problems are reported", null, false, false);
        }
    }

    /**
     * @param name a name stable across versions, for logs and health checks
     *             ({@code route:1 traffic-split.rules[0].weighted_upstreams[0].upstream})
     * @param path where the upstream is written, for errors
     *             ({@code routes[0].plugins.traffic-split.rules[0].weighted_upstreams[0].upstream})
     * @param held receives what the compiled upstream holds
     */
    UpstreamRef inline(String name, String path, JsonNode config, List<Held> held) throws PluginConfigException;
}
