package io.tidegate.upstream;

import io.tidegate.config.Problems;
import io.tidegate.config.Upstream;
import io.tidegate.config.UpstreamNode;
import io.tidegate.route.IpRange;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles an {@link Upstream} into an {@link UpstreamProxyClient}: host names resolved (through the
 * DNS cache, off the request path), one pooled connection source per address, node priority
 * groups, and the balancer of the upstream's {@code type} built once.
 */
public final class UpstreamCompiler {
    private final ConnectionPools pools;
    private final DnsCache dns;
    private final Set<ConnectionPools.Key> used = new HashSet<>();

    public UpstreamCompiler(ConnectionPools pools, DnsCache dns) {
        this.pools = pools;
        this.dns = dns;
    }

    /** Pools the compiled upstreams use; the rest can be closed once the snapshot serves. */
    public Set<ConnectionPools.Key> usedPools() {
        return Set.copyOf(used);
    }

    /**
     * @param name how logs name this upstream
     * @param path where it stands in the configuration, for errors
     */
    public UpstreamProxyClient compile(Upstream upstream, String name, String path, Problems problems) {
        List<UpstreamNodeTarget> targets = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        List<String> identities = new ArrayList<>();
        TreeMap<Integer, List<Integer>> groups = new TreeMap<>(java.util.Comparator.reverseOrder());
        for (UpstreamNode node : upstream.nodes()) {
            if (node.weight() == 0) {
                continue;
            }
            boolean named = IpRange.parseLiteral(node.host()) == null;
            String tlsName = "rewrite".equals(upstream.passHost()) ? upstream.upstreamHost() : named ? node.host() : null;
            // nginx's way with a name that resolves to several addresses: each is a node of the same weight
            for (String ip : dns.addresses(node.host())) {
                ConnectionPools.Key key = new ConnectionPools.Key(upstream.scheme(), ip, node.port(),
                        upstream.keepalivePool(), upstream.tls(), "https".equals(upstream.scheme()) ? tlsName : null);
                used.add(key);
                String address = named ? node.address() + " (" + ip + ")" : node.address();
                groups.computeIfAbsent(node.priority(), p -> new ArrayList<>()).add(targets.size());
                targets.add(new UpstreamNodeTarget(pools.pool(key), address, hostHeader(node)));
                weights.add(node.weight());
                identities.add(named ? node.host() + ":" + node.port() + "/" + ip : node.address());
            }
        }
        Balancer balancer = targets.isEmpty() ? context -> -1 : balancer(upstream.type(), groups, weights, identities, targets.size());
        return new UpstreamProxyClient(name, targets, balancer, HashKey.compile(upstream.hashOn(), upstream.key()),
                upstream.effectiveRetries(), upstream.retryTimeout(), "node".equals(upstream.passHost()));
    }

    private static Balancer balancer(String type, TreeMap<Integer, List<Integer>> groups, List<Integer> weights,
                                     List<String> identities, int nodeCount) {
        Balancer[] balancers = new Balancer[groups.size()];
        int[][] members = new int[groups.size()][];
        int g = 0;
        for (List<Integer> group : groups.values()) {
            int[] m = group.stream().mapToInt(Integer::intValue).toArray();
            int[] w = group.stream().mapToInt(weights::get).toArray();
            String[] ids = group.stream().map(identities::get).toArray(String[]::new);
            members[g] = m;
            balancers[g++] = switch (type) {
                case "random" -> new WeightedRandom(m, w);
                case "chash" -> new ConsistentHash(m, w, ids);
                case "least_conn" -> new LeastConnections(m, w, nodeCount);
                case "ewma" -> new Ewma(m, nodeCount);
                default -> new SmoothWeightedRoundRobin(m, w);
            };
        }
        return balancers.length == 1 ? balancers[0] : new PriorityGroups(balancers, members, nodeCount);
    }

    /** nginx's Host for pass_host node: the node's host, with the port unless it is 80. */
    private static String hostHeader(UpstreamNode node) {
        String host = node.host().indexOf(':') >= 0 ? "[" + node.host() + "]" : node.host();
        return node.port() == 80 ? host : host + ":" + node.port();
    }
}
