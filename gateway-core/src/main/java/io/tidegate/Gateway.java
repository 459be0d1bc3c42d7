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
import io.tidegate.upstream.DnsCache;
import io.tidegate.upstream.UpstreamCompiler;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: compiles configuration into snapshots, serves the current one, and swaps in a
 * new one when {@link #apply} is given new resources (an invalid version changes nothing) or when
 * upstream host names resolve to new addresses.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final ConnectionPools pools;
    private final DnsCache dns;
    private final SnapshotHolder snapshots;
    private final GatewayServer server;
    private final ScheduledExecutorService background;
    /** Compiles and swaps run one at a time: versions stay in order and pools are pruned safely. */
    private final Object compileLock = new Object();
    private Resources resources;
    private long version;

    private Gateway(GatewayConfig config, ConnectionPools pools, DnsCache dns, Snapshot first) {
        this.config = config;
        this.pools = pools;
        this.dns = dns;
        this.resources = config.resources();
        this.version = first.version();
        this.snapshots = new SnapshotHolder(first);
        this.server = GatewayServer.start(config.server(), new GatewayHandler(snapshots, config.server().clientMaxBodySize()),
                new StatusHandler(snapshots::current), () -> snapshots.current().certificates());
        this.background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tidegate-dns");
            thread.setDaemon(true);
            return thread;
        });
        long refreshMillis = Math.round(config.server().dnsRefreshSeconds() * 1000);
        background.scheduleWithFixedDelay(this::refreshDns, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
    }

    /** Compiles the configuration, binds the listeners and starts serving. */
    public static Gateway start(GatewayConfig config) throws ConfigException {
        ConnectionPools pools = new ConnectionPools(config.server().ioThreads(), config.server().trustedCas());
        DnsCache dns = new DnsCache();
        try {
            Compiled first = compile(config, pools, dns, config.resources(), 1);
            Gateway gateway = new Gateway(config, pools, dns, first.snapshot);
            gateway.logStarted();
            return gateway;
        } catch (ConfigException | RuntimeException e) {
            pools.close();
            throw e;
        }
    }

    /** Compiles without serving: what {@code -t} runs. */
    public static Snapshot check(GatewayConfig config) throws ConfigException {
        try (ConnectionPools pools = new ConnectionPools(config.server().ioThreads(), config.server().trustedCas())) {
            return compile(config, pools, new DnsCache(), config.resources(), 1).snapshot;
        }
    }

    /** Compiles new resources and swaps them in atomically; on error the current version keeps serving. */
    public Snapshot apply(Resources next) throws ConfigException {
        synchronized (compileLock) {
            Snapshot snapshot = swap(next);
            resources = next;
            return snapshot;
        }
    }

    private Snapshot swap(Resources next) throws ConfigException {
        Compiled compiled = compile(config, pools, dns, next, version + 1);
        version++;
        snapshots.swap(compiled.snapshot);
        // Requests still running on the old snapshot hold their connections; only idle pools close.
        pools.retainOnly(compiled.pools);
        Snapshot s = compiled.snapshot;
        log.info("configuration version {} serving: {} routes, {} upstreams", s.version(), s.routeCount(), s.upstreamCount());
        return s;
    }

    private void refreshDns() {
        try {
            if (dns.refresh()) {
                synchronized (compileLock) {
                    swap(resources);
                }
            }
        } catch (ConfigException e) {
            log.error("recompiling after a DNS change failed; the previous version keeps serving: {}", e.errors());
        } catch (RuntimeException e) {
            log.error("DNS refresh failed", e);
        }
    }

    private record Compiled(Snapshot snapshot, Set<ConnectionPools.Key> pools) {}

    private static Compiled compile(GatewayConfig config, ConnectionPools pools, DnsCache dns, Resources resources, long version)
            throws ConfigException {
        UpstreamCompiler upstreams = new UpstreamCompiler(pools, dns);
        SnapshotBuilder builder = new SnapshotBuilder(upstreams, new ProxyRouteHandlerFactory(),
                config.server().defaultTimeout(), Set.of());
        Snapshot snapshot = builder.build(resources, version);
        return new Compiled(snapshot, upstreams.usedPools());
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
        String listeners = listenerAddresses().stream().map(Gateway::format).collect(Collectors.joining(", "));
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
        background.shutdownNow();
        server.close();
        pools.close();
    }
}
