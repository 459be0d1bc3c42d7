package io.tidegate.upstream;

import io.tidegate.health.Outcome;
import java.util.List;
import java.util.function.Function;

/**
 * The compiled form of one upstream: picks a node with the balancer and says whether a failed try
 * may be retried on another node ({@code retries}, {@code retry_timeout}). With health checks,
 * unhealthy nodes are passed over while a healthy one is left to try (when none is, they serve, as
 * in APISIX), and with passive checks each try's result is reported to its node. It decides; the
 * proxy does the talking.
 */
public final class CompiledUpstream {
    private final String name;
    private final boolean unresolved;
    private final UpstreamNodeTarget[] nodes;
    private final Balancer balancer;
    private final HashKey hashKey;
    private final int retries;
    private final long retryTimeoutNanos;
    private final boolean passNodeHost;
    private final NodeHealthView health;

    /** @param health the nodes' health, or null without health checks */
    CompiledUpstream(String name, List<UpstreamNodeTarget> nodes, Balancer balancer, HashKey hashKey, int retries,
                     double retryTimeoutSeconds, boolean passNodeHost, NodeHealthView health, boolean unresolved) {
        this.unresolved = unresolved;
        this.name = name;
        this.nodes = nodes.toArray(new UpstreamNodeTarget[0]);
        this.balancer = balancer;
        this.hashKey = hashKey;
        this.retries = retries;
        this.retryTimeoutNanos = (long) (retryTimeoutSeconds * 1e9);
        this.passNodeHost = passNodeHost;
        this.health = health;
    }

    /** A readable name for logs: the upstream id, or the route that holds it inline. */
    public String name() {
        return name;
    }

    public boolean hasNodes() {
        return nodes.length > 0;
    }

    /** No node because no name of a weighted node resolves (not because every weight is 0). */
    public boolean unresolved() {
        return unresolved;
    }

    /** Whether {@code pass_host: node}: each try sends the chosen node's host as Host. */
    public boolean passNodeHost() {
        return passNodeHost;
    }

    public UpstreamNodeTarget node(int index) {
        return nodes[index];
    }

    /** The tries of one request, starting now. */
    public Attempts attempts(Function<String, String> vars) {
        return new Attempts(vars, nodes.length, hashKey, health);
    }

    /** The node for the next try (one not tried yet while any is left), marked as tried. */
    public int pick(Attempts attempts) {
        attempts.beforePick();
        int index = balancer.pick(attempts);
        attempts.mark(index);
        return index;
    }

    /** Whether a failed try may be followed by another: tries left and {@code retry_timeout} not passed. */
    public boolean mayRetry(Attempts attempts) {
        return attempts.count <= retries
                && (retryTimeoutNanos <= 0 || System.nanoTime() - attempts.startNanos <= retryTimeoutNanos);
    }

    /** Whether the try limit, not the time limit, is what stops retrying. */
    public boolean retryTimedOut(Attempts attempts) {
        return attempts.count <= retries && retryTimeoutNanos > 0 && System.nanoTime() - attempts.startNanos > retryTimeoutNanos;
    }

    /** A request started on the node (its connection is ready). */
    public void started(int node) {
        balancer.started(node);
    }

    /** That request ended after {@code elapsedNanos}. */
    public void finished(int node, long elapsedNanos) {
        balancer.finished(node, elapsedNanos);
    }

    /** Passive health checks hear of a try's outcome (when the upstream counts traffic at all). */
    public void report(int node, Outcome outcome) {
        if (health != null && health.passive() != null) {
            health.nodes()[node].report(outcome, health.passive(), "passive");
        }
    }

    /** Passive health checks hear of the status the node answered with, before any plugin changed it. */
    public void reportStatus(int node, int status) {
        if (health != null && health.passive() != null) {
            health.nodes()[node].reportStatus(status, health.passive(), "passive");
        }
    }

    /**
     * Which nodes one request has tried, so a retry goes to another one while any is left. To the
     * balancer an unhealthy node looks tried while a healthy untried one remains, so every balancer
     * skips unhealthy nodes the way it skips tried ones.
     */
    public static final class Attempts implements PickContext {
        private final Function<String, String> vars;
        private final boolean[] tried;
        private final HashKey hashKey;
        private final NodeHealthView health;
        private final long startNanos = System.nanoTime();
        private String key;
        private int count;
        private boolean skipUnhealthy;

        Attempts(Function<String, String> vars, int nodes, HashKey hashKey, NodeHealthView health) {
            this.vars = vars;
            this.tried = new boolean[nodes];
            this.hashKey = hashKey;
            this.health = health;
        }

        /** System.nanoTime() of the first try. */
        public long startNanos() {
            return startNanos;
        }

        /** Tries so far. */
        public int count() {
            return count;
        }

        void beforePick() {
            skipUnhealthy = health != null && health.anyHealthyUntried(tried);
        }

        void mark(int node) {
            tried[node] = true;
            count++;
        }

        @Override
        public boolean tried(int node) {
            return tried[node] || skipUnhealthy && !health.nodes()[node].healthy();
        }

        @Override
        public String hashKey() {
            if (key == null) {
                key = hashKey.of(vars);
            }
            return key;
        }
    }
}
