package io.tidegate.upstream;

import io.tidegate.config.Timeouts;
import io.tidegate.plugin.api.UpstreamRef;

/**
 * An upstream a request may be sent to instead of its route's (a plugin chose it): the compiled
 * upstream with what the route's plan would otherwise say about it.
 *
 * @param timeout     the upstream's own timeout, or null for the route's
 * @param rewriteHost the Host to send when its pass_host is rewrite, else null
 */
public record UpstreamTarget(CompiledUpstream upstream, Timeouts timeout, String rewriteHost) implements UpstreamRef {
    @Override
    public String describe() {
        return "upstream " + upstream.name();
    }
}
