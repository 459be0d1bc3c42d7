package io.tidegate;

import io.tidegate.config.ConfigException;
import io.tidegate.config.GatewayConfig;
import io.tidegate.config.Resources;
import io.tidegate.observe.StatusHandler;
import io.tidegate.proxy.GatewayHandler;
import io.tidegate.proxy.GatewayServer;
import io.tidegate.proxy.ProxyRouteHandlerFactory;
import io.tidegate.runtime.Snapshot;
import io.tidegate.runtime.SnapshotBuilder;
import io.tidegate.runtime.SnapshotHolder;
import io.tidegate.upstream.ConnectionPools;
import io.tidegate.upstream.UpstreamCompiler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: compiles configuration into snapshots, serves the current one, and swaps in a
 * new one when {@link #apply} is given new resources (an invalid version changes nothing).
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final ConnectionPools pools;
    private final SnapshotHolder snapshots;
    private final GatewayServer server;
    private final AtomicLong versions;

    private Gateway(GatewayConfig config, ConnectionPools pools, SnapshotHolder snapshots, AtomicLong versions) {
        this.config = config;
        this.pools = pools;
        this.snapshots = snapshots;
        this.versions = versions;
        this.server = GatewayServer.start(config.server(), new GatewayHandler(snapshots, config.server().clientMaxBodySize()),
                new StatusHandler(snapshots::current));
    }

    /** Compiles the configuration, binds the listeners and starts serving. */
    public static Gateway start(GatewayConfig config) throws ConfigException {
        ConnectionPools pools = new ConnectionPools(config.server().ioThreads());
        AtomicLong versions = new AtomicLong();
        try {
            Snapshot first = compile(config, pools, config.resources(), versions.incrementAndGet());
            Gateway gateway = new Gateway(config, pools, new SnapshotHolder(first), versions);
            gateway.logStarted();
            return gateway;
        } catch (ConfigException | RuntimeException e) {
            pools.close();
            throw e;
        }
    }

    /** Compiles without serving: what {@code -t} runs. */
    public static Snapshot check(GatewayConfig config) throws ConfigException {
        try (ConnectionPools pools = new ConnectionPools(config.server().ioThreads())) {
            return compile(config, pools, config.resources(), 1);
        }
    }

    /** Compiles new resources and swaps them in atomically; on error the current version keeps serving. */
    public Snapshot apply(Resources resources) throws ConfigException {
        Snapshot next = compile(config, pools, resources, versions.incrementAndGet());
        snapshots.swap(next);
        log.info("configuration version {} serving: {} routes, {} upstreams", next.version(), next.routeCount(), next.upstreamCount());
        return next;
    }

    private static Snapshot compile(GatewayConfig config, ConnectionPools pools, Resources resources, long version)
            throws ConfigException {
        UpstreamCompiler upstreams = new UpstreamCompiler(pools);
        SnapshotBuilder builder = new SnapshotBuilder(upstreams, new ProxyRouteHandlerFactory(),
                config.server().defaultTimeout(), Set.of());
        return builder.build(resources, version);
    }

    public Snapshot snapshot() {
        return snapshots.current();
    }

    public List<InetSocketAddress> listenerAddresses() {
        return server.listenerAddresses();
    }

    public InetSocketAddress statusAddress() {
        return server.statusAddress();
    }

    private void logStarted() {
        Snapshot current = snapshots.current();
        InetSocketAddress status = statusAddress();
        String listeners = listenerAddresses().stream().map(Gateway::format).collect(java.util.stream.Collectors.joining(", "));
        log.info("tidegate {} listening on {}{}; configuration version {}: {} routes, {} upstreams",
                Version.current(), listeners, status == null ? "" : " (status " + format(status) + ")",
                current.version(), current.routeCount(), current.upstreamCount());
    }

    private static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    @Override
    public void close() {
        server.close();
        pools.close();
    }
}
