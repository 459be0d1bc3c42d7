package io.tidegate.upstream;

import io.tidegate.config.Problems;
import io.tidegate.config.Upstream;
import io.tidegate.config.UpstreamNode;
import io.tidegate.health.HealthCheckers;
import io.tidegate.health.NodeHealth;
import io.tidegate.health.ProbeTarget;
import io.tidegate.health.UpstreamChecker;
import io.tidegate.plugin.api.IpRange;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Compiles an {@link Upstream} into an {@link CompiledUpstream}: host names resolved (through the
 * DNS cache, off the request path), one pooled connection source per address, node priority
 * groups, the balancer of the upstream's {@code type} built once, and each node's health when the
 * upstream has {@code checks}.
 */
public final class UpstreamCompiler {
    private final Function<NodeEndpoint, NodeConnections> pools;
    private final DnsCache dns;
    private final HealthCheckers checkers;
    private final Set<NodeEndpoint> used = new HashSet<>();
    private final Map<HealthCheckers.Key, Set<ProbeTarget>> checked = new HashMap<>();

    /** @param pools the connections to a node, by endpoint (the proxy's pools) */
    public UpstreamCompiler(Function<NodeEndpoint, NodeConnections> pools, DnsCache dns, HealthCheckers checkers) {
        this.pools = pools;
        this.dns = dns;
        this.checkers = checkers;
    }

    /**
     * The nodes each health checker of the compiled upstreams should probe once the snapshot
     * serves, in configuration order (the status page lists them so).
     */
    public Map<HealthCheckers.Key, Set<ProbeTarget>> checkedNodes() {
        Map<HealthCheckers.Key, Set<ProbeTarget>> out = new HashMap<>();
        checked.forEach((key, targets) -> out.put(key, Collections.unmodifiableSet(new LinkedHashSet<>(targets))));
        return out;
    }

    /** Pools the compiled upstreams use; the rest can be closed once the snapshot serves. */
    public Set<NodeEndpoint> usedPools() {
        return Set.copyOf(used);
    }

    /**
     * @param name how logs name this upstream
     * @param path where it stands in the configuration, for errors
     */
    public CompiledUpstream compile(Upstream upstream, String name, String path, Problems problems) {
        List<UpstreamNodeTarget> targets = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        List<String> identities = new ArrayList<>();
        TreeMap<Integer, List<Integer>> groups = new TreeMap<>(java.util.Comparator.reverseOrder());
        UpstreamChecker checker = null;
        List<NodeHealth> health = new ArrayList<>();
        Set<ProbeTarget> probed = null;
        if (upstream.checks() != null) {
            HealthCheckers.Key key = new HealthCheckers.Key(name, upstream.checks(), upstream.tls());
            checker = checkers.checker(key);
            probed = checked.computeIfAbsent(key, k -> new LinkedHashSet<>());
        }
        for (UpstreamNode node : upstream.nodes()) {
            if (node.weight() == 0) {
                continue;
            }
            boolean named = IpRange.parseLiteral(node.host()) == null;
            String tlsName = "rewrite".equals(upstream.passHost()) ? upstream.upstreamHost() : named ? node.host() : null;
            // nginx's way with a name that resolves to several addresses: each is a node of the same weight
            for (String ip : dns.addresses(node.host())) {
                NodeEndpoint key = new NodeEndpoint(upstream.scheme(), ip, node.port(),
                        upstream.keepalivePool(), upstream.tls(), "https".equals(upstream.scheme()) || "grpcs".equals(upstream.scheme()) ? tlsName : null);
                used.add(key);
                String address = named ? node.address() + " (" + ip + ")" : node.address();
                groups.computeIfAbsent(node.priority(), p -> new ArrayList<>()).add(targets.size());
                targets.add(new UpstreamNodeTarget(pools.apply(key), key, address, hostHeader(node)));
                if (checker != null) {
                    ProbeTarget target = new ProbeTarget(ip, node.port(), node.host());
                    health.add(checker.node(target, address));
                    probed.add(target);
                }
                weights.add(node.weight());
                identities.add(named ? node.host() + ":" + node.port() + "/" + ip : node.address());
            }
        }
        Balancer balancer = targets.isEmpty() ? context -> -1 : balancer(upstream.type(), groups, weights, identities, targets.size());
        NodeHealthView view = checker == null ? null
                : new NodeHealthView(health.toArray(new NodeHealth[0]), checker.passiveRules());
        return new CompiledUpstream(name, targets, balancer, HashKey.compile(upstream.hashOn(), upstream.key()),
                upstream.effectiveRetries(), upstream.retryTimeout(), "node".equals(upstream.passHost()), view,
                targets.isEmpty() && upstream.nodes().stream().anyMatch(node -> node.weight() > 0));
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
