package io.tidegate;

import io.tidegate.admin.AdminApi;
import io.tidegate.dashboard.ConfigHistory;
import io.tidegate.dashboard.Dashboard;
import io.tidegate.dashboard.DashboardApi;
import io.tidegate.dashboard.TrafficSamples;
import io.tidegate.observe.TrafficTotals;
import io.tidegate.config.ConfigException;
import io.tidegate.config.ConfigLoader;
import io.tidegate.config.GatewayConfig;
import io.tidegate.config.ListenerCertificates;
import io.tidegate.config.ListenerSettings;
import io.tidegate.config.ListenerTls;
import io.tidegate.config.Problem;
import io.tidegate.config.Problems;
import io.tidegate.config.Resources;
import io.tidegate.config.Route;
import io.tidegate.health.HealthCheckers;
import io.tidegate.observe.AccessLog;
import io.tidegate.observe.DroppedEntries;
import io.tidegate.observe.FileSinks;
import io.tidegate.observe.GatewayMetrics;
import io.tidegate.observe.MetricsHandler;
import io.tidegate.observe.SharedPluginOutputs;
import io.tidegate.observe.StatusHandler;
import io.tidegate.plugin.PluginCatalog;
import io.tidegate.plugin.PluginFolderWatcher;
import io.tidegate.plugin.PluginOutputs;
import io.tidegate.plugin.PluginRegistry;
import io.tidegate.plugin.UnknownPlugins;
import io.tidegate.proxy.GatewayHandler;
import io.tidegate.proxy.GatewayServer;
import io.tidegate.proxy.ProxyRouteHandlerFactory;
import io.tidegate.proxy.RequestGuard;
import io.tidegate.runtime.CompiledPieces;
import io.tidegate.runtime.PluginLedger;
import io.tidegate.runtime.Reloads;
import io.tidegate.runtime.Snapshot;
import io.tidegate.runtime.SnapshotBuilder;
import io.tidegate.runtime.SnapshotHolder;
import io.tidegate.source.ConfigFileWatcher;
import io.tidegate.source.EtcdSource;
import io.tidegate.source.EtcdStore;
import io.tidegate.proxy.pool.ConnectionPools;
import io.tidegate.upstream.DnsCache;
import io.tidegate.upstream.UpstreamCompiler;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway: compiles configuration into snapshots, serves the current one, and swaps in a
 * new one when {@link #apply} is given new resources, when plugin jars change, or when upstream host
 * names resolve to new addresses. A version that fails to compile changes nothing.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final GatewayConfig config;
    private final ConnectionPools pools;
    private final HealthCheckers checkers;
    private final DnsCache dns;
    private final PluginRegistry plugins;
    /** False when the caller lent the registry ({@link #start(GatewayConfig, PluginRegistry)}): it closes it. */
    private final boolean ownsPlugins;
    private final SnapshotHolder snapshots;
    private final GatewayServer server;
    private final ScheduledExecutorService background;
    /** Closes replaced versions once no request holds them, off the IO thread whose request let go last. */
    private final ExecutorService closer = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "tidegate-version-close");
        thread.setDaemon(true);
        return thread;
    });
    private final PluginFolderWatcher watcher;
    /** The configuration file: its resources (unless they come from etcd or the Admin API) and its listeners. */
    private final ConfigFileWatcher fileWatcher;
    /** The listeners' certificate and key files, or null when no listener has TLS; replaced when the listeners change. */
    private ConfigFileWatcher certificateWatcher;
    /** Both null when the resources come from the file. */
    private final EtcdStore etcd;
    private final EtcdSource etcdSource;
    private final AccessLog accessLog;
    private final GatewayMetrics metrics;
    /** What the dashboard's traffic charts read; null when the Admin API is off. */
    private final TrafficTotals traffic;
    private final SharedPluginOutputs outputs;
    /** The one way the serving version changes (compile, swap, retire), one change at a time. */
    private final Reloads reloads;
    /** Null when the Admin API is off. */
    private final AdminApi admin;
    /** The web dashboard's data, on the admin listener; null when the Admin API is off, or until it is built. */
    private volatile DashboardApi dashboard;
    /** Whether a history recording is waiting to run: a burst of versions is recorded once. */
    private final java.util.concurrent.atomic.AtomicBoolean recordPending = new java.util.concurrent.atomic.AtomicBoolean();
    /** Set once a shutdown starts: the status listener then says not ready. */
    private volatile boolean draining;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    /** APISIX's API-driven standalone mode: the Admin API without etcd serves the whole configuration. */
    private static boolean apiDriven(GatewayConfig config) {
        return config.server().admin() != null && !config.server().admin().readOnly() && config.server().etcd() == null;
    }

    private static Path stateFile(GatewayConfig config) {
        String file = config.server().admin().stateFile();
        return file == null ? null : Path.of(file);
    }

    private Gateway(GatewayConfig config, ConnectionPools pools, HealthCheckers checkers, DnsCache dns,
                    PluginRegistry plugins, boolean ownsPlugins, PluginCatalog compiledWith, SharedPluginOutputs outputs,
                    PluginLedger ledger, Resources served, SnapshotBuilder.Build first,
                    com.fasterxml.jackson.databind.JsonNode standaloneState, boolean takingOver) {
        this.outputs = outputs;
        this.config = config;
        this.pools = pools;
        this.checkers = checkers;
        this.dns = dns;
        this.plugins = plugins;
        this.ownsPlugins = ownsPlugins;
        // from etcd, the first version is an empty stand-in until etcd's listing replaces it
        int ioThreads = config.server().ioThreads();
        this.snapshots = config.server().etcd() == null ? new SnapshotHolder(first.snapshot(), ioThreads, this::closeReplaced)
                : SnapshotHolder.awaitingSource(first.snapshot(), ioThreads, this::closeReplaced);
        checkers.retainOnly(first.checked());
        this.reloads = new Reloads(() -> builder(config, pools, checkers, dns, plugins.catalog(), outputs), snapshots, ledger,
                served, first, this::swapped);
        this.accessLog = config.server().accessLogPath() == null ? null : new AccessLog(Path.of(config.server().accessLogPath()));
        this.metrics = config.server().metrics() == null ? null : gatewayMetrics();
        this.traffic = config.server().admin() == null ? null : new TrafficTotals();
        exportHealth();
        this.etcd = config.server().etcd() == null ? null : new EtcdStore(config.server().etcd());
        this.background = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tidegate-background");
            thread.setDaemon(true);
            return thread;
        });
        // etcd is listed before the listeners bind (within etcd's timeout), so that no request meets
        // the empty stand-in: with thousands of routes, compiling them takes a while
        this.etcdSource = etcd == null ? null : new EtcdSource(etcd, this::etcdChanged);
        if (etcdSource != null) {
            etcdSource.start();
            if (metrics != null) {
                metrics.etcd(etcdSource.watchedKeys()::view, config.server().etcd().prefix());
            }
        }
        this.admin = config.server().admin() == null ? null
                : etcd != null ? AdminApi.onEtcd(config.server().admin(), etcd, etcdSource.watchedKeys(), this::validate, plugins::catalog,
                        this::reloadPlugins)
                : !apiDriven(config) ? AdminApi.onFile(config.server().admin(), config.file(), this::validate, plugins::catalog, this::reloadPlugins)
                : AdminApi.standalone(config.server().admin(), standaloneState, stateFile(config), this::validate,
                        next -> reloads.swap(next, "admin"), plugins::catalog, this::reloadPlugins);
        if (takingOver && !snapshots.loaded()) {
            stopSourcesAfterFailedStart();
            throw new IllegalStateException("etcd did not list the configuration, so this gateway does not take over; "
                    + "the running one keeps serving");
        }
        try {
            this.server = GatewayServer.start(config.server(),
                    new GatewayHandler(snapshots, config.server().clientMaxBodySize(), new RequestGuard(config.server().limits()),
                            accessLog, metrics, traffic),
                    new StatusHandler(snapshots::current, plugins::catalog, checkers, this::ready),
                    metrics == null ? null : new MetricsHandler(metrics), admin == null ? null : dashboardOver(admin),
                    () -> snapshots.current().certificates());
        } catch (RuntimeException e) {
            stopSourcesAfterFailedStart();
            throw e;
        }
        if (metrics != null) {
            metrics.clientCounts(server::clientCounts);
        }
        long refreshMillis = Math.round(config.server().dnsRefreshSeconds() * 1000);
        background.scheduleWithFixedDelay(this::refreshDns, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
        this.watcher = new PluginFolderWatcher(plugins, compiledWith, this::pluginsChanged);
        // from etcd or the Admin API, the file holds no resources, but still the listeners
        this.fileWatcher = new ConfigFileWatcher(config.sources(), this::fileChanged);
        watchCertificates(config.server().listeners());
        if (resourcesFromFile()) {
            reloadIfEditedSinceLoaded();
        }
    }

    /** What runs before the listeners bind, stopped when binding fails (no gateway is left to close it). */
    private void stopSourcesAfterFailedStart() {
        if (etcdSource != null) {
            etcdSource.close();
            etcd.close();
        }
        background.shutdownNow();
    }

    private void etcdChanged(Resources next) throws ConfigException {
        reloads.swap(next, "etcd");
        snapshots.markLoaded();
    }

    /**
     * The file may have been edited after it was loaded and before the watcher looked at it: no
     * event came for that edit, and the watcher took the edited file for the loaded one. So, once
     * the watcher is registered, the file is read again and applied if it differs (quietly when not);
     * a file that still holds the text it was loaded from (its digest) is not parsed again.
     */
    private void reloadIfEditedSinceLoaded() {
        if (config.sourcesUnchanged()) {
            return;  // no file changed since it was read: parsing 10,000 routes again took 28% of start-up
        }
        try {
            GatewayConfig now = new ConfigLoader().load(config.file());
            if (now.server().equals(config.server()) && now.resources().equals(config.resources())) {
                return;
            }
        } catch (ConfigException e) {
            // an invalid edit: fileChanged says so
        }
        fileChanged();
    }

    /**
     * Compiles resources without serving them (the Admin API's check before it writes), with no
     * effect on the serving gateway: pools and health checkers of its own, names resolved without
     * entering the gateway's DNS cache, plugin output discarded. Plugins' shared state is the serving
     * one, so a check sees what the change would meet (a limit group's counters) and creates no
     * second client or queue; the check's holds go when its snapshot closes.
     */
    public void validate(Resources candidate) throws ConfigException {
        // every problem, unknown plugins and compile errors alike: a caller attributes them to resources
        List<Problem> problems = new ArrayList<>();
        try (ConnectionPools scratchPools = new ConnectionPools(config.server().ioThreads(), config.server().trustedCas(),
                config.server().limits().upstreamMaxConnections());
             HealthCheckers scratchCheckers = new HealthCheckers(config.server().trustedCas())) {
            builder(config, scratchPools, scratchCheckers, dns.lookingUpOnly(), plugins.catalog(),
                    PluginOutputs.discardingWith(outputs.sharedStates(), config.server().proxyCache()))
                    .build(candidate, reloads.version() + 1).snapshot().close();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        Problems unknown = new Problems();
        UnknownPlugins.report(candidate, plugins.catalog(), unknown);
        problems.addAll(unknown.problems());
        if (!problems.isEmpty()) {
            throw ConfigException.of(problems);
        }
    }

    /** Ready once a configuration from its source serves: at once for a file, after etcd's first listing. */
    public boolean ready() {
        return !draining && snapshots.loaded();
    }

    /** Loads the plugins, compiles the configuration, binds the listeners and starts serving. */
    public static Gateway start(GatewayConfig config) throws ConfigException {
        return start(config, false, null);
    }

    /**
     * As {@link #start(GatewayConfig)}, with plugins the caller loaded and keeps: several gateways
     * in one JVM (the tests' many short-lived ones) then load each jar and compile each schema
     * once, as one gateway does across its configuration versions. The gateway syncs the registry
     * with its folder as its own, and never closes it. Its folder must be the configuration's
     * {@code plugins_dir}.
     */
    public static Gateway start(GatewayConfig config, PluginRegistry plugins) throws ConfigException {
        Path wanted = Path.of(config.server().pluginsDir()).toAbsolutePath().normalize();
        if (!plugins.dir().equals(wanted)) {
            throw new IllegalArgumentException("the plugin registry loads " + plugins.dir() + ", the configuration's plugins_dir is " + wanted);
        }
        return start(config, false, null, plugins);
    }

    /**
     * As {@link #start(GatewayConfig)}; {@code takingOver} (for {@code --upgrade}) refuses to bind
     * before the configuration from etcd is loaded, since the running gateway would be sending
     * connections to a gateway that can only answer 503. {@code handedOver}, when not null, is the
     * API-driven configuration the running gateway handed over, served instead of the state file's.
     */
    public static Gateway start(GatewayConfig config, boolean takingOver, String handedOver) throws ConfigException {
        return start(config, takingOver, handedOver, null);
    }

    private static Gateway start(GatewayConfig config, boolean takingOver, String handedOver, PluginRegistry lent)
            throws ConfigException {
        ConnectionPools pools = new ConnectionPools(config.server().ioThreads(), config.server().trustedCas(),
                config.server().limits().upstreamMaxConnections());
        HealthCheckers checkers = new HealthCheckers(config.server().trustedCas());
        DnsCache dns = new DnsCache();
        PluginRegistry plugins = lent != null ? lent : new PluginRegistry(Path.of(config.server().pluginsDir()),
                Math.round(config.server().pluginGraceSeconds() * 1000));
        SharedPluginOutputs outputs = new SharedPluginOutputs(new FileSinks(config.baseDir()), new DroppedEntries(),
                config.server().proxyCache());
        try {
            plugins.sync();
            PluginLedger ledger = new PluginLedger();
            // API-driven: what the Admin API last accepted (kept in the state file), else nothing until a PUT
            com.fasterxml.jackson.databind.JsonNode standaloneState = !apiDriven(config) ? null
                    : handedOver != null ? AdminApi.parseState(handedOver) : AdminApi.readState(stateFile(config));
            Resources resources = standaloneState == null ? config.resources() : AdminApi.resourcesOf(standaloneState, stateFile(config));
            PluginCatalog catalog = plugins.catalog();
            SnapshotBuilder.Build first = builder(config, pools, checkers, dns, catalog, outputs)
                    .build(resources, 1, CompiledPieces.NONE, ledger);
            Gateway gateway = new Gateway(config, pools, checkers, dns, plugins, lent == null, catalog, outputs, ledger, resources, first,
                    standaloneState, takingOver);
            gateway.logStarted();
            return gateway;
        } catch (ConfigException | RuntimeException e) {
            checkers.close();
            pools.close();
            if (lent == null) {
                plugins.close();
            }
            outputs.close();
            throw e;
        }
    }

    /**
     * Compiles without serving, with the plugins of the plugin folder: what {@code -t} runs. A
     * missing plugin folder, and a route naming a plugin it does not hold, are errors here.
     */
    public static Snapshot check(GatewayConfig config) throws ConfigException {
        Path pluginsDir = Path.of(config.server().pluginsDir());
        boolean noPluginFolder = !Files.isDirectory(pluginsDir);
        try (ConnectionPools pools = new ConnectionPools(config.server().ioThreads(), config.server().trustedCas(),
                config.server().limits().upstreamMaxConnections());
             HealthCheckers checkers = new HealthCheckers(config.server().trustedCas());
             // a check creates nothing: without the folder there is nothing to load (the registry would make it)
             PluginRegistry plugins = noPluginFolder ? null : new PluginRegistry(pluginsDir, 0)) {
            PluginCatalog catalog = PluginCatalog.EMPTY;
            if (plugins != null) {
                plugins.sync();
                catalog = plugins.catalog();
            }
            Snapshot snapshot = builder(config, pools, checkers, new DnsCache(), catalog, PluginOutputs.discarding(config.server().proxyCache()))
                    .build(config.resources(), 1).snapshot();
            snapshot.close();
            // what would only show at run time as 503s is an error of the configuration here
            Problems problems = new Problems();
            if (noPluginFolder) {
                problems.add("tidegate.plugins_dir", pluginsDir + " is not a folder");
            }
            List<Route> routes = config.resources().routes();
            for (int i = 0; i < routes.size(); i++) {
                List<String> missing = snapshot.pluginsNotLoaded().get(routes.get(i).id());
                if (missing != null) {
                    problems.add(Problems.index("routes", i) + ".plugins", "not loaded from " + pluginsDir
                            + ": " + String.join(", ", missing) + " (the route would answer 503)");
                }
            }
            problems.throwIfAny();
            return snapshot;
        }
    }

    /** Compiles new resources and swaps them in atomically; on error the current version keeps serving. */
    public Snapshot apply(Resources next) throws ConfigException {
        return reloads.swap(next, "config");
    }

    /** Gauges and counters read from what the gateway keeps anyway. */
    private GatewayMetrics gatewayMetrics() {
        GatewayMetrics m = config.server().metrics().names() == io.tidegate.config.MetricsSettings.Names.APISIX
                ? GatewayMetrics.apisix(Version.current()) : new GatewayMetrics();
        m.gauge("tidegate_config_version", "the serving configuration version", snapshots, h -> h.current().version());
        m.gauge("tidegate_routes", "routes in the serving configuration", snapshots, h -> h.current().routeCount());
        m.gauge("tidegate_plugins_loaded", "plugin types loaded", plugins, p -> p.catalog().all().size());
        if (accessLog != null) {
            m.counter("tidegate_access_log_dropped", "access log entries dropped (queue full or write failed)", accessLog::dropped);
        }
        m.counter("tidegate_plugin_log_dropped", "plugin log lines dropped (queue full or write failed)",
                outputs.files()::dropped);
        outputs.drops().exportTo(m);
        return m;
    }

    private void exportHealth() {
        if (metrics != null) {
            metrics.checkedNodes(checkers.all().stream().flatMap(checker -> checker.nodes().stream()
                    .map(node -> new GatewayMetrics.CheckedNode(checker.upstream(), node.address(), node::healthy))).toList());
        }
    }

    private void countReload(String reason) {
        if (metrics != null) {
            metrics.counter("tidegate_config_reloads", "configuration versions swapped in, by cause", "reason", reason).increment();
        }
    }

    /** A version was swapped in: only what it uses stays (idle pools and checkers of older ones go). */
    private void swapped(SnapshotBuilder.Build compiled, String reason) {
        // requests still running on an older snapshot hold their connections; only idle pools close
        pools.retainOnly(compiled.pools());
        checkers.retainOnly(compiled.checked());
        exportHealth();
        countReload(reason);
        recordInHistory(reason);
    }

    /**
     * The dashboard in front of the Admin API, with its traffic samples taken every 5 s (10
     * minutes kept) and the configuration history started with the version serving now.
     */
    private io.undertow.server.HttpHandler dashboardOver(AdminApi api) {
        TrafficSamples samples = new TrafficSamples(traffic::totals, 5, 120);
        background.scheduleAtFixedRate(() -> samples.sample(java.time.Instant.now().getEpochSecond()), 5, 5, TimeUnit.SECONDS);
        DashboardApi data = new DashboardApi(api, snapshots::current, plugins::catalog, checkers, samples,
                new ConfigHistory(50, 64L * 1024 * 1024));
        try {
            data.recordVersion("start");  // at once: a change made right after start must not hide what it changed from
        } catch (RuntimeException e) {
            log.warn("the dashboard's history could not read the configuration ({}); it records the next version", e.toString());
        }
        this.dashboard = data;
        return new Dashboard(data, api);
    }

    /**
     * Records the configuration in the dashboard's history, off the thread that swapped it in (an
     * etcd listing or a file read must not hold up the next change), a moment later: the Admin
     * API's own copy of an API-driven configuration is updated once its version serves.
     */
    private void recordInHistory(String cause) {
        DashboardApi history = dashboard;
        if (history == null || !recordPending.compareAndSet(false, true)) {
            return;
        }
        try {
            background.schedule(() -> {
                recordPending.set(false);
                try {
                    history.recordVersion(cause);
                } catch (RuntimeException e) {
                    log.warn("the dashboard's history could not read the configuration ({}); it records the next version", e.toString());
                }
            }, 200, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            recordPending.set(false);  // shutting down
        }
    }

    /**
     * The configuration file (or its resources file) changed: its resources are validated and
     * swapped in; an invalid edit changes nothing. Server settings only apply at start.
     */
    private boolean resourcesFromFile() {
        return etcd == null && !apiDriven(config);
    }

    private synchronized void fileChanged() {
        for (Path source : config.sources()) {
            if (source.toFile().length() == 0) {
                log.warn("{} is empty; ignored (to serve nothing, leave the resource lists empty: routes: [])", source);
                return;
            }
        }
        GatewayConfig next;
        try {
            next = new ConfigLoader().load(config.file());
        } catch (ConfigException e) {
            log.error("{} changed but is invalid; configuration version {} keeps serving:\n  {}", config.file(), reloads.version(),
                    String.join("\n  ", e.errors()));
            return;
        }
        applyListeners(next.server().listeners());
        if (!next.server().withListeners(config.server().listeners()).equals(config.server())) {
            log.warn("settings under tidegate: in {} changed; apart from listeners, they take effect at the next start{}",
                    config.file(), resourcesFromFile() ? " (resources apply now)" : "");
        }
        if (!resourcesFromFile()) {
            return;
        }
        try {
            if (reloads.swapIfChanged(next.resources(), "file") == null) {
                log.info("{} changed, but none of its resources did", config.file());
            }
        } catch (ConfigException e) {
            log.error("{} changed but does not compile; configuration version {} keeps serving:\n  {}", config.file(), reloads.version(),
                    String.join("\n  ", e.errors()));
        }
    }

    private void applyListeners(List<ListenerSettings> wanted) {
        if (wanted.equals(server.listeners())) {
            return;
        }
        List<String> failures = server.applyListeners(wanted);
        failures.forEach(failure -> log.error("listener {}; the other listeners apply", failure));
        watchCertificates(server.listeners());
    }

    /** Watches the TLS listeners' certificate and key files, so that a replaced file is served without a restart. */
    private synchronized void watchCertificates(List<ListenerSettings> listeners) {
        if (certificateWatcher != null) {
            certificateWatcher.close();
            certificateWatcher = null;
        }
        List<Path> files = listeners.stream().filter(l -> l.tls() != null)
                .flatMap(l -> java.util.stream.Stream.of(l.tls().certFile(), l.tls().keyFile())).distinct().toList();
        if (!files.isEmpty() && !closed.get()) {
            certificateWatcher = new ConfigFileWatcher(files, this::certificatesChanged);
        }
    }

    /**
     * Reads every TLS listener's files again. A pair that does not load (a half-written file, a key
     * that is not the certificate's) is reported and the listener keeps its certificate; the watch
     * calls again when the files change once more.
     */
    private synchronized void certificatesChanged() {
        List<ListenerSettings> next = new ArrayList<>();
        for (ListenerSettings listener : server.listeners()) {
            ListenerTls tls = listener.tls();
            if (tls == null) {
                next.add(listener);
                continue;
            }
            try {
                ListenerTls read = ListenerCertificates.read(tls.certFile(), tls.keyFile());
                if (!read.equals(tls)) {
                    log.info("listener {}: certificate files changed; new connections get the new certificate ({})",
                            listener.address(), ListenerCertificates.describe(read));
                }
                next.add(new ListenerSettings(listener.host(), listener.port(), read, listener.offerH2()));
            } catch (IllegalArgumentException e) {
                log.error("listener {}: {}; it keeps its current certificate", listener.address(), e.getMessage());
                next.add(listener);
            }
        }
        if (!next.equals(server.listeners())) {
            server.applyListeners(next);
        }
    }

    /** The Admin API's {@code PUT /apisix/admin/plugins/reload}: the plugin folder synced now, not at the watch's next look. */
    private void reloadPlugins() {
        watcher.syncNow();
    }

    private void pluginsChanged() {
        try {
            reloads.recompile("plugins", false);
        } catch (ConfigException e) {
            log.error("the configuration does not compile with the changed plugins; the previous version keeps serving:\n  {}",
                    String.join("\n  ", e.errors()));
        }
    }

    private void refreshDns() {
        try {
            if (dns.refresh()) {
                reloads.recompile("dns", true);
            }
        } catch (ConfigException e) {
            log.error("recompiling after a DNS change failed; the previous version keeps serving:\n  {}",
                    String.join("\n  ", e.errors()));
        } catch (RuntimeException e) {
            log.error("DNS refresh failed", e);
        }
    }

    private static SnapshotBuilder builder(GatewayConfig config, ConnectionPools pools, HealthCheckers checkers, DnsCache dns,
                                           PluginCatalog catalog, PluginOutputs outputs) {
        return new SnapshotBuilder(() -> new UpstreamCompiler(pools::pool, dns, checkers),
                new ProxyRouteHandlerFactory(config.server().limits()), config.server().defaultTimeout(), catalog, outputs,
                config.server().pluginAttributes());
    }

    public Snapshot snapshot() {
        return snapshots.current();
    }

    /** The configuration file this gateway was started from, and watches. */
    public Path configFile() {
        return config.file();
    }

    public PluginCatalog plugins() {
        return plugins.catalog();
    }

    public List<InetSocketAddress> listenerAddresses() {
        return server.listenerAddresses();
    }

    public InetSocketAddress statusAddress() {
        return server.statusAddress();
    }

    public InetSocketAddress metricsAddress() {
        return server.metricsAddress();
    }

    public InetSocketAddress adminAddress() {
        return server.adminAddress();
    }

    private void logStarted() {
        Snapshot current = snapshots.current();
        InetSocketAddress status = statusAddress();
        InetSocketAddress admin = adminAddress();
        String listeners = listenerAddresses().stream().map(Gateway::format).collect(Collectors.joining(", "));
        String source = etcd == null ? config.file().toString() : "etcd " + String.join(",", config.server().etcd().endpoints())
                + config.server().etcd().prefix();
        String loaded = plugins.catalog().all().stream().map(p -> p.name() + " " + p.version()).collect(Collectors.joining(", "));
        log.info("tidegate {} listening on {}{}{}; configuration version {} from {}: {} routes, {} upstreams; plugins from {}: {}",
                Version.current(), listeners, status == null ? "" : " (status " + format(status) + ")",
                admin == null ? "" : " (admin " + format(admin) + ")",
                current.version(), source, current.routeCount(), current.upstreamCount(), plugins.dir(),
                loaded.isEmpty() ? "none" : loaded);
    }

    private static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * A planned stop: no new connections or requests, those in flight finish within
     * {@code shutdown_grace}, then everything closes (loggers flush their queues on close).
     */
    public void shutdown() {
        long graceMillis = Math.round(config.server().shutdownGraceSeconds() * 1000);
        draining = true;
        log.info("shutting down: new requests get 503; waiting up to {} ms for those in flight", graceMillis);
        try {
            if (!server.drain(graceMillis)) {
                log.warn("requests still in flight after {} ms are cut off", graceMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
        log.info("tidegate stopped");
    }

    /**
     * First step of handing over to a newer gateway: in API-driven standalone mode, the
     * configuration it is to start from, after which this one refuses changes until
     * {@link #stopAccepting} or {@link #resumeChanges}; else null (etcd or the file keep it).
     */
    public String freezeForHandOver() {
        return admin == null ? null : admin.freeze();
    }

    /** The newer gateway backed out: the Admin API accepts changes again. */
    public void resumeChanges() {
        if (admin != null) {
            admin.resume();
        }
    }

    /** Closes every listening socket (the newer gateway's take the connections); see {@link #finishHandOver}. */
    public void stopAccepting() {
        draining = true;
        server.stopAccepting();
    }

    /**
     * After {@link #stopAccepting}: serves what arrives on open connections, closing each after its
     * answer, until none is open or {@code shutdown_grace} passed; then everything closes.
     */
    public void finishHandOver() {
        long graceMillis = Math.round(config.server().shutdownGraceSeconds() * 1000);
        log.info("handed the listeners over; serving the open connections, closing each after its answer (up to {} ms)", graceMillis);
        try {
            if (!server.handOver(graceMillis)) {
                log.warn("connections still open after {} ms are closed", graceMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
        log.info("tidegate stopped after the hand-over");
    }

    /** A version no request can use any more: its plugins are closed on a thread of their own (a close may block). */
    private void closeReplaced(Snapshot snapshot) {
        try {
            closer.execute(snapshot::close);
        } catch (RejectedExecutionException e) {
            snapshot.close();  // stopping
        }
    }

    private void awaitClosed() {
        try {
            if (!closer.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("closing replaced configuration versions took more than 10 s; going on");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        fileWatcher.close();
        synchronized (this) {
            if (certificateWatcher != null) {
                certificateWatcher.close();
            }
        }
        if (etcdSource != null) {
            etcdSource.close();
            etcd.close();
        }
        watcher.close();
        background.shutdownNow();
        server.close();
        if (accessLog != null) {
            accessLog.close();
        }
        closer.shutdown();
        // Their plugins' close (a logger's last batch) must run too, even under requests the stop cut off.
        snapshots.closeAll();
        awaitClosed();
        outputs.close();
        checkers.close();
        pools.close();
        if (ownsPlugins) {
            plugins.close();
        }
    }
}
