package io.tidegate.proxy;

import io.tidegate.config.ListenerSettings;
import io.tidegate.config.RequestLimits;
import io.tidegate.config.ServerSettings;
import io.tidegate.tls.CertificateTable;
import io.tidegate.tls.SniKeyManager;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import io.undertow.server.protocol.http2.Http2UpgradeHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server: client-facing listeners (HTTP or HTTPS, optionally offering HTTP/2) with the gateway
 * handler, plus the status, metrics and admin listeners. Built from Undertow's protocol listeners
 * directly rather than through {@code Undertow.builder()}, so that client connections pass
 * {@link ClientConnections} before HTTP sees them and HTTP/2 streams are held to the limit the
 * gateway advertises.
 */
public final class GatewayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
    /** Undertow's choice for a heap of this size: 16 KiB direct buffers, one write's worth. */
    private static final int BUFFER_SIZE = 16 * 1024 - 20;

    private final Xnio xnio;
    private final XnioWorker worker;
    private final ByteBufferPool buffers;
    private final OptionMap httpOptions;
    private final OptionMap socketOptions;
    private final ClientConnections connections;
    private final InFlightRequests clientRequests;
    private final Supplier<CertificateTable> certificates;
    private final boolean sharePorts;
    /** By {@link #key}, in configuration order; guarded by this. */
    private final Map<String, ClientListener> clients = new LinkedHashMap<>();
    private AcceptingChannel<?> status;
    private AcceptingChannel<?> metrics;
    private AcceptingChannel<?> admin;
    /** Set by {@link #stopAccepting}: from then on no listener binds again. Guarded by this. */
    private boolean stopped;

    private GatewayServer(Xnio xnio, XnioWorker worker, ServerSettings settings, HttpHandler gateway,
                          Supplier<CertificateTable> certificates) {
        this.xnio = xnio;
        this.worker = worker;
        // At most 512 free buffers (8 MiB) are kept: unbounded, the pool kept every buffer a load peak
        // ever needed (2,375 of them, 37 MB of RSS, in bench/rss.sh); more are allocated when needed.
        this.buffers = new DefaultByteBufferPool(true, BUFFER_SIZE, 512, 4);
        this.socketOptions = socketOptions(settings);
        this.httpOptions = httpOptions(settings);
        RequestLimits limits = settings.limits();
        this.connections = new ClientConnections(limits.maxConnections(), limits.maxConnectionsPerClient());
        this.clientRequests = new InFlightRequests(
                connections.tracking(new Http2StreamLimit(limits.h2MaxConcurrentStreams(), gateway)));
        this.certificates = certificates;
        this.sharePorts = settings.upgradeSocket() != null;
    }

    /**
     * Binds and starts every listener; throws if any address cannot be bound.
     *
     * @param metrics      the exporter's handler, used when the settings name a metrics listener
     * @param admin        the Admin API's handler, used when the settings configure it
     * @param certificates the serving configuration's {@code ssls}, consulted on every TLS handshake
     */
    public static GatewayServer start(ServerSettings settings, HttpHandler gateway, HttpHandler status, HttpHandler metrics,
                                      HttpHandler admin, Supplier<CertificateTable> certificates) {
        Xnio xnio = Xnio.getInstance(io.undertow.Undertow.class.getClassLoader());
        XnioWorker worker;
        try {
            worker = xnio.createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, settings.ioThreads())
                    // the proxy path never blocks, so worker threads only serve rare blocking tasks
                    .set(Options.WORKER_TASK_CORE_THREADS, Math.max(2, settings.ioThreads()))
                    .set(Options.WORKER_TASK_MAX_THREADS, Math.max(2, settings.ioThreads()))
                    .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
                    .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.CORK, true)
                    .getMap());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the IO threads: " + e.getMessage(), e);
        }
        GatewayServer server = new GatewayServer(xnio, worker, settings, gateway, certificates);
        try {
            synchronized (server) {
                List<ListenerSettings> listeners = settings.listeners();
                for (int i = 0; i < listeners.size(); i++) {
                    server.clients.put(key(listeners.get(i), i), server.bindClient(listeners.get(i)));
                }
                server.status = settings.status() == null ? null : server.plain(settings.status(), status, false, null);
                server.metrics = settings.metrics() == null ? null : server.plain(settings.metrics().listener(), metrics, false, null);
                server.admin = settings.admin() == null ? null : server.plain(settings.admin().address(), admin, false, null);
            }
            return server;
        } catch (IOException | RuntimeException e) {
            server.stopAccepting();
            worker.shutdownNow();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static OptionMap socketOptions(ServerSettings settings) {
        OptionMap.Builder options = OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, settings.ioThreads())
                .set(Options.TCP_NODELAY, true)
                .set(Options.REUSE_ADDRESSES, true)
                .set(Options.BALANCING_TOKENS, 1)
                .set(Options.BALANCING_CONNECTIONS, 2)
                .set(Options.BACKLOG, 4096);
        if (settings.limits().bodyTimeout() > 0) {
            options.set(Options.READ_TIMEOUT, millis(settings.limits().bodyTimeout()));
        }
        return options.getMap();
    }

    /**
     * Undertow's own caps sit well above the configured limits, so that a moderately oversized
     * request reaches {@link RequestGuard} and gets its 414 or 431; only an absurd one is cut off
     * by the parser (400, connection closed) before any memory is spent on it.
     */
    private static OptionMap httpOptions(ServerSettings settings) {
        RequestLimits limits = settings.limits();
        return OptionMap.builder()
                .set(UndertowOptions.MAX_ENTITY_SIZE, settings.clientMaxBodySize())
                .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
                .set(UndertowOptions.MAX_HEADER_SIZE, Math.max(64 * 1024, 4 * (limits.maxUriLength() + limits.maxHeaderSize())))
                .set(UndertowOptions.MAX_HEADERS, Math.max(200, 4 * limits.maxHeaders()))
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, millis(limits.headerTimeout()))
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, millis(limits.keepaliveTimeout()))
                .set(UndertowOptions.HTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits.h2MaxConcurrentStreams())
                .getMap();
    }

    private ClientListener bindClient(ListenerSettings listener) throws IOException {
        ClientListener client = new ClientListener(listener, clientProtocols(listener));
        client.bound(listener.tls() == null
                ? plain(listener, clientRequests, listener.offerH2(), client.protocols())
                : secure(listener, client));
        return client;
    }

    /** What a client listener's connections go to: HTTP/1.1, with HTTP/2 when offered (h2c, or ALPN on TLS). */
    private ChannelListener<StreamConnection> clientProtocols(ListenerSettings listener) {
        if (listener.tls() == null) {
            return httpOpen(clientRequests, listener.offerH2());
        }
        HttpOpenListener http11 = new HttpOpenListener(buffers, httpOptions);
        http11.setRootHandler(clientRequests);
        if (!listener.offerH2()) {
            return http11;
        }
        Http2OpenListener http2 = new Http2OpenListener(buffers, httpOptions);
        http2.setRootHandler(clientRequests);
        AlpnOpenListener alpn = new AlpnOpenListener(buffers, httpOptions, connections.keepingCloseListener(http11));
        alpn.addProtocol(Http2OpenListener.HTTP2, connections.keepingCloseListener(http2), 10);
        return alpn;
    }

    /**
     * h2c both ways when offered: the Upgrade handshake, and prior knowledge (a connection that opens
     * with the HTTP/2 preface, as gRPC's plaintext clients do), which Undertow takes when HTTP/2 is enabled.
     */
    private HttpOpenListener httpOpen(HttpHandler handler, boolean offerH2) {
        HttpOpenListener open = new HttpOpenListener(buffers,
                offerH2 ? OptionMap.builder().addAll(httpOptions).set(UndertowOptions.ENABLE_HTTP2, true).getMap() : httpOptions);
        open.setRootHandler(offerH2 ? new Http2UpgradeHandler(handler) : handler);
        return open;
    }

    /** A plain HTTP listener; {@code open} (else Undertow's, for {@code handler}) takes its connections. */
    private AcceptingChannel<? extends StreamConnection> plain(ListenerSettings listener, HttpHandler handler, boolean offerH2,
                                                               ChannelListener<StreamConnection> open) throws IOException {
        boolean client = open != null;
        ChannelListener<StreamConnection> protocols = client ? open : httpOpen(handler, offerH2);
        ChannelListener<StreamConnection> accepted = client ? connections.admitting(protocols) : protocols;
        AcceptingChannel<? extends StreamConnection> server;
        try {
            server = shared(listener)
                    ? SharedPorts.bind(worker, address(listener), socketOptions, ChannelListeners.openListenerAdapter(accepted))
                    : worker.createStreamConnectionServer(address(listener), ChannelListeners.openListenerAdapter(accepted), socketOptions);
        } catch (IOException e) {
            throw new CannotListen(listener.address(), e);
        }
        server.resumeAccepts();
        return server;
    }

    private AcceptingChannel<? extends StreamConnection> secure(ListenerSettings listener, ClientListener client) throws IOException {
        UndertowXnioSsl ssl = new UndertowXnioSsl(xnio, OptionMap.create(Options.USE_DIRECT_BUFFERS, true),
                serverContext(new SniKeyManager(client, certificates)));
        ChannelListener<AcceptingChannel<org.xnio.ssl.SslConnection>> accept =
                ChannelListeners.<org.xnio.ssl.SslConnection>openListenerAdapter(connections.admitting(client.protocols()));
        AcceptingChannel<? extends StreamConnection> server;
        try {
            server = shared(listener)
                    ? SharedPorts.tls(ssl, SharedPorts.bind(worker, address(listener), socketOptions, null), socketOptions, accept)
                    : ssl.createSslConnectionServer(worker, address(listener), accept, socketOptions);
        } catch (IOException e) {
            throw new CannotListen(listener.address(), e);
        }
        server.resumeAccepts();
        return server;
    }

    /** A listener's identity across configuration versions: its address, or for port 0 (any port) its place in the list. */
    private static String key(ListenerSettings listener, int index) {
        return listener.port() == 0 ? listener.address() + "#" + index : listener.address();
    }

    /** A fixed port, with {@code upgrade_sock} set: a newer gateway may bind it too and take over. */
    private boolean shared(ListenerSettings listener) {
        if (!sharePorts || listener.port() == 0) {
            return false;
        }
        String unavailable = SharedPorts.unavailableReason();
        if (unavailable != null) {
            log.warn("{} is bound for this process alone, so --upgrade cannot take it over: {}", listener.address(), unavailable);
            return false;
        }
        return true;
    }

    private static InetSocketAddress address(ListenerSettings listener) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(listener.host()), listener.port());
    }

    private static int millis(double seconds) {
        return (int) Math.min(Integer.MAX_VALUE, Math.round(seconds * 1000));
    }

    private static SSLContext serverContext(SniKeyManager keys) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keys}, null, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the TLS context: " + e.getMessage(), e);
        }
    }

    /** Null when listening ports can be shared with a newer gateway ({@code --upgrade}); else why not. */
    public static String portSharingUnavailable() {
        return SharedPorts.unavailableReason();
    }

    /**
     * Loads XNIO's provider (a service lookup and class initialisation, a tenth of a start-up on a
     * cold JVM), so that a thread can do it while the configuration is still being parsed.
     */
    public static void preload() {
        Xnio.getInstance(io.undertow.Undertow.class.getClassLoader());
    }

    /**
     * Makes the client listeners those of {@code wanted}: new addresses are bound, addresses no longer
     * listed close (their connections finish what they are doing), and a listener whose certificate
     * or HTTP/2 offer changed keeps its socket and applies the change to new connections. One that
     * changes between TLS and plain HTTP is rebound. A listener that cannot be bound is reported and
     * left out; the others still apply.
     *
     * @return one line per listener that could not be applied (empty when all were)
     */
    public synchronized List<String> applyListeners(List<ListenerSettings> wanted) {
        List<String> failures = new ArrayList<>();
        if (stopped) {
            return failures;  // handed over, or stopping: the ports are another process's now
        }
        Map<String, ClientListener> next = new LinkedHashMap<>();
        for (int i = 0; i < wanted.size(); i++) {
            ListenerSettings listener = wanted.get(i);
            String key = key(listener, i);
            ClientListener current = clients.remove(key);
            if (current != null && current.canBecome(listener)) {
                if (!current.settings().equals(listener)) {
                    current.become(listener, clientProtocols(listener));
                    log.info("listener {} changed (TLS certificate or offer_h2); new connections get the change", listener.address());
                }
                next.put(key, current);
                continue;
            }
            if (current != null) {
                current.close();  // TLS switched on or off: another kind of socket server
            }
            try {
                next.put(key, bindClient(listener));
                log.info("listener {} {}", listener.address(), current == null ? "added" : "rebound");
            } catch (IOException | RuntimeException e) {
                failures.add(listener.address() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        for (Map.Entry<String, ClientListener> gone : clients.entrySet()) {
            gone.getValue().close();
            log.info("listener {} removed; its open connections finish their requests", gone.getValue().settings().address());
        }
        clients.clear();
        clients.putAll(next);
        return failures;
    }

    /** The client listeners' settings as they now apply. */
    public synchronized List<ListenerSettings> listeners() {
        return clients.values().stream().map(ClientListener::settings).toList();
    }

    /** Bound addresses of the client-facing listeners, in configuration order (ephemeral ports resolved). */
    public synchronized List<InetSocketAddress> listenerAddresses() {
        return clients.values().stream().map(ClientListener::boundAddress).toList();
    }

    private static InetSocketAddress bound(AcceptingChannel<?> channel) {
        return channel == null ? null : channel.getLocalAddress(InetSocketAddress.class);
    }

    /** Bound address of the status listener, or null when it is off. */
    public synchronized InetSocketAddress statusAddress() {
        return bound(status);
    }

    /** Client connection and request counts, for the exporter's APISIX names. */
    public io.tidegate.observe.ClientCounts clientCounts() {
        return new io.tidegate.observe.ClientCounts(connections.open(), connections.accepted(), connections.handled(), clientRequests.active(),
                clientRequests.taken());
    }

    /** Bound address of the metrics exporter, or null when it is off. */
    public synchronized InetSocketAddress metricsAddress() {
        return bound(metrics);
    }

    /** Bound address of the Admin API, or null when it is off. */
    public synchronized InetSocketAddress adminAddress() {
        return bound(admin);
    }

    /**
     * Closes every listening socket, the client listeners and the status, metrics and admin ones;
     * connections already accepted carry on. With the ports shared, the newer gateway's sockets
     * take the connections from now on.
     */
    public synchronized void stopAccepting() {
        stopped = true;
        clients.values().forEach(ClientListener::close);
        for (AcceptingChannel<?> channel : new AcceptingChannel<?>[] {status, metrics, admin}) {
            if (channel != null) {
                IoUtils.safeClose(channel);
            }
        }
    }

    /**
     * Turns new client requests away (see {@link InFlightRequests}) and waits up to {@code graceMillis} for those in flight to finish.
     *
     * @return whether every request in flight finished in time
     */
    public boolean drain(long graceMillis) throws InterruptedException {
        return clientRequests.drain(graceMillis);
    }

    /**
     * After {@link #stopAccepting}: requests on connections still open are served, each answer
     * closing its connection (HTTP/1.1 {@code Connection: close}, HTTP/2 GOAWAY once the connection
     * has no stream left), so that clients reconnect to the newer gateway; waits up to
     * {@code graceMillis} until no request is in flight and no client connection is open.
     *
     * @return whether every client connection closed in time
     */
    public boolean handOver(long graceMillis) throws InterruptedException {
        return clientRequests.handOver(graceMillis, connections::open);
    }

    @Override
    public void close() {
        stopAccepting();
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
