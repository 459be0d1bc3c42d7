package io.tidegate.upstream;

import io.tidegate.config.Problems;
import io.tidegate.config.Upstream;
import io.tidegate.config.UpstreamNode;
import io.tidegate.route.IpRange;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles an {@link Upstream} into an {@link UpstreamProxyClient}: host names resolved once, off
 * the request path; one pooled connection source per node; the balancer built once.
 */
public final class UpstreamCompiler {
    private static final Logger log = LoggerFactory.getLogger(UpstreamCompiler.class);

    private final ConnectionPools pools;
    private final Set<ConnectionPools.Key> used = new HashSet<>();

    public UpstreamCompiler(ConnectionPools pools) {
        this.pools = pools;
    }

    /** Pools the compiled upstreams use; the rest can be closed once the snapshot serves. */
    public Set<ConnectionPools.Key> usedPools() {
        return Set.copyOf(used);
    }

    /**
     * @param name    how logs name this upstream
     * @param path    where it stands in the configuration, for errors
     */
    public UpstreamProxyClient compile(Upstream upstream, String name, String path, Problems problems) {
        int topPriority = upstream.nodes().stream().mapToInt(UpstreamNode::priority).max().orElse(0);
        if (upstream.nodes().stream().anyMatch(n -> n.priority() != topPriority)) {
            problems.add(Problems.join(path, "nodes"), "node priority groups are not supported yet; give every node the same priority");
        }
        List<UpstreamNodeTarget> targets = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        for (UpstreamNode node : upstream.nodes()) {
            if (node.weight() == 0) {
                continue;
            }
            String ip = resolve(node.host(), name);
            if (ip == null) {
                continue;
            }
            ConnectionPools.Key key = ConnectionPools.key(upstream.scheme(), ip, node.port(), upstream.keepalivePool());
            used.add(key);
            var pool = pools.pool(key.scheme(), key.address(), key.port(), key.settings());
            targets.add(new UpstreamNodeTarget(pool, node.address(), hostHeader(node)));
            weights.add(node.weight());
        }
        Balancer balancer = weights.isEmpty() ? () -> -1
                : new SmoothWeightedRoundRobin(weights.stream().mapToInt(Integer::intValue).toArray());
        return new UpstreamProxyClient(name, targets, balancer, upstream.effectiveRetries(), "node".equals(upstream.passHost()));
    }

    /**
     * Resolves a node's host name now, at compile time, so no IO thread ever waits on DNS. A name
     * that does not resolve leaves its node out of this version (logged); the others serve.
     */
    private static String resolve(String host, String upstream) {
        if (IpRange.parseLiteral(host) != null) {
            return host;
        }
        try {
            return InetAddress.getByName(host).getHostAddress();
        } catch (UnknownHostException e) {
            log.error("upstream {}: node host {} does not resolve; the node is left out", upstream, host);
            return null;
        }
    }

    /** nginx's Host for pass_host node: the node's host, with the port unless it is 80. */
    private static String hostHeader(UpstreamNode node) {
        String host = node.host().indexOf(':') >= 0 ? "[" + node.host() + "]" : node.host();
        return node.port() == 80 ? host : host + ":" + node.port();
    }
}
