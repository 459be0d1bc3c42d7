package io.tidegate.plugin;

import io.tidegate.plugin.api.UpstreamRef;

/** A plugin's reference to a configured upstream by id, resolved per request in the serving version. */
public record UpstreamIdRef(String id) implements UpstreamRef {
    @Override
    public String describe() {
        return "upstream " + id;
    }
}
