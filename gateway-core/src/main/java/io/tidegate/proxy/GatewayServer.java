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

/**
 * The server: client-facing listeners (HTTP or HTTPS, optionally offering HTTP/2) with the gateway
 * handler, plus the status, metrics and admin listeners. Built from Undertow's protocol listeners
 * directly rather than through {@code Undertow.builder()}, so that client connections pass
 * {@link ClientConnections} before HTTP sees them and HTTP/2 streams are held to the limit the
 * gateway advertises.
 */
public final class GatewayServer implements AutoCloseable {
    /** Undertow's choice for a heap of this size: 16 KiB direct buffers, one write's worth. */
    private static final int BUFFER_SIZE = 16 * 1024 - 20;

    private final XnioWorker worker;
    private final List<AcceptingChannel<? extends StreamConnection>> channels;
    private final int clientListeners;
    private final int statusIndex;
    private final int metricsIndex;
    private final int adminIndex;
    private final InFlightRequests clientRequests;

    /** Listeners are bound in order: client listeners, then status, metrics and admin (those configured). */
    private GatewayServer(XnioWorker worker, List<AcceptingChannel<? extends StreamConnection>> channels,
                          InFlightRequests clientRequests, int clientListeners, int statusIndex, int metricsIndex, int adminIndex) {
        this.worker = worker;
        this.channels = channels;
        this.clientRequests = clientRequests;
        this.clientListeners = clientListeners;
        this.statusIndex = statusIndex;
        this.metricsIndex = metricsIndex;
        this.adminIndex = adminIndex;
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
        RequestLimits limits = settings.limits();
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
        // At most 512 free buffers (8 MiB) are kept: unbounded, the pool kept every buffer a load peak
        // ever needed (2,375 of them, 37 MB of RSS, in bench/rss.sh); more are allocated when needed.
        ByteBufferPool buffers = new DefaultByteBufferPool(true, BUFFER_SIZE, 512, 4);
        OptionMap socketOptions = socketOptions(settings);
        OptionMap httpOptions = httpOptions(settings);
        ClientConnections connections = new ClientConnections(limits.maxConnections(), limits.maxConnectionsPerClient());
        InFlightRequests clientRequests = new InFlightRequests(
                connections.tracking(new Http2StreamLimit(limits.h2MaxConcurrentStreams(), gateway)));
        List<AcceptingChannel<? extends StreamConnection>> channels = new ArrayList<>();
        try {
            for (ListenerSettings listener : settings.listeners()) {
                channels.add(listener.tls() == null
                        ? plain(worker, listener, clientRequests, listener.offerH2(), buffers, httpOptions, socketOptions, connections)
                        : secure(xnio, worker, listener, clientRequests, buffers, httpOptions, socketOptions, connections, certificates));
            }
            int next = settings.listeners().size();
            int statusIndex = settings.status() == null ? -1 : next++;
            if (statusIndex >= 0) {
                channels.add(plain(worker, settings.status(), status, false, buffers, httpOptions, socketOptions, null));
            }
            int metricsIndex = settings.metrics() == null ? -1 : next++;
            if (metricsIndex >= 0) {
                channels.add(plain(worker, settings.metrics(), metrics, false, buffers, httpOptions, socketOptions, null));
            }
            int adminIndex = settings.admin() == null ? -1 : next;
            if (adminIndex >= 0) {
                channels.add(plain(worker, settings.admin().address(), admin, false, buffers, httpOptions, socketOptions, null));
            }
            return new GatewayServer(worker, channels, clientRequests, settings.listeners().size(), statusIndex, metricsIndex,
                    adminIndex);
        } catch (IOException | RuntimeException e) {
            channels.forEach(IoUtils::safeClose);
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

    private static AcceptingChannel<? extends StreamConnection> plain(XnioWorker worker, ListenerSettings listener,
            HttpHandler handler, boolean offerH2, ByteBufferPool buffers, OptionMap httpOptions, OptionMap socketOptions,
            ClientConnections connections) throws IOException {
        // h2c both ways: the Upgrade handshake, and prior knowledge (a connection that opens with the
        // HTTP/2 preface, as gRPC's plaintext clients do), which Undertow takes when HTTP/2 is enabled
        HttpOpenListener open = new HttpOpenListener(buffers,
                offerH2 ? OptionMap.builder().addAll(httpOptions).set(UndertowOptions.ENABLE_HTTP2, true).getMap() : httpOptions);
        open.setRootHandler(offerH2 ? new Http2UpgradeHandler(handler) : handler);
        ChannelListener<StreamConnection> accepted = connections == null ? open : connections.admitting(open);
        AcceptingChannel<? extends StreamConnection> server;
        try {
            server = worker.createStreamConnectionServer(address(listener), ChannelListeners.openListenerAdapter(accepted), socketOptions);
        } catch (IOException e) {
            throw new CannotListen(listener.address(), e);
        }
        server.resumeAccepts();
        return server;
    }

    private static AcceptingChannel<? extends StreamConnection> secure(Xnio xnio, XnioWorker worker, ListenerSettings listener,
            HttpHandler handler, ByteBufferPool buffers, OptionMap httpOptions, OptionMap socketOptions,
            ClientConnections connections, Supplier<CertificateTable> certificates) throws IOException {
        HttpOpenListener http11 = new HttpOpenListener(buffers, httpOptions);
        http11.setRootHandler(handler);
        ChannelListener<StreamConnection> open;
        if (listener.offerH2()) {
            Http2OpenListener http2 = new Http2OpenListener(buffers, httpOptions);
            http2.setRootHandler(handler);
            AlpnOpenListener alpn = new AlpnOpenListener(buffers, httpOptions, connections.keepingCloseListener(http11));
            alpn.addProtocol(Http2OpenListener.HTTP2, connections.keepingCloseListener(http2), 10);
            open = alpn;
        } else {
            open = http11;
        }
        CertificateTable.Entry own = CertificateTable.Entry.of("listener:" + listener.address(),
                listener.tls().certPem(), listener.tls().keyPem());
        UndertowXnioSsl ssl = new UndertowXnioSsl(xnio, OptionMap.create(Options.USE_DIRECT_BUFFERS, true),
                serverContext(new SniKeyManager(own, certificates)));
        AcceptingChannel<? extends StreamConnection> server;
        try {
            server = ssl.createSslConnectionServer(worker, address(listener),
                    ChannelListeners.openListenerAdapter(connections.admitting(open)), socketOptions);
        } catch (IOException e) {
            throw new CannotListen(listener.address(), e);
        }
        server.resumeAccepts();
        return server;
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

    /**
     * Loads XNIO's provider (a service lookup and class initialisation, a tenth of a start-up on a
     * cold JVM), so that a thread can do it while the configuration is still being parsed.
     */
    public static void preload() {
        Xnio.getInstance(io.undertow.Undertow.class.getClassLoader());
    }

    /** Bound addresses of the client-facing listeners, in configuration order (ephemeral ports resolved). */
    public List<InetSocketAddress> listenerAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i = 0; i < clientListeners; i++) {
            out.add(bound(i));
        }
        return out;
    }

    private InetSocketAddress bound(int index) {
        return index < 0 ? null : channels.get(index).getLocalAddress(InetSocketAddress.class);
    }

    /** Bound address of the status listener, or null when it is off. */
    public InetSocketAddress statusAddress() {
        return bound(statusIndex);
    }

    /** Bound address of the metrics exporter, or null when it is off. */
    public InetSocketAddress metricsAddress() {
        return bound(metricsIndex);
    }

    /** Bound address of the Admin API, or null when it is off. */
    public InetSocketAddress adminAddress() {
        return bound(adminIndex);
    }

    /**
     * Turns new client requests away (see {@link InFlightRequests}) and waits up to {@code graceMillis} for those in flight to finish.
     *
     * @return whether every request in flight finished in time
     */
    public boolean drain(long graceMillis) throws InterruptedException {
        return clientRequests.drain(graceMillis);
    }

    @Override
    public void close() {
        channels.forEach(IoUtils::safeClose);
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
