package io.tidegate.proxy;

import io.tidegate.config.ListenerSettings;
import io.tidegate.config.RequestLimits;
import io.tidegate.config.ServerSettings;
import io.tidegate.tls.CertificateTable;
import io.tidegate.tls.SniKeyManager;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.xnio.Options;

/**
 * The Undertow server: client-facing listeners (HTTP or HTTPS, optionally offering HTTP/2) with the
 * gateway handler, plus the status listener.
 */
public final class GatewayServer implements AutoCloseable {
    private final Undertow undertow;
    private final int clientListeners;
    private final int statusIndex;
    private final int metricsIndex;
    private final int adminIndex;
    private final InFlightRequests clientRequests;

    /** Listeners are bound in order: client listeners, then status, metrics and admin (those configured). */
    private GatewayServer(Undertow undertow, InFlightRequests clientRequests, int clientListeners, int statusIndex,
                          int metricsIndex, int adminIndex) {
        this.undertow = undertow;
        this.clientRequests = clientRequests;
        this.clientListeners = clientListeners;
        this.statusIndex = statusIndex;
        this.metricsIndex = metricsIndex;
        this.adminIndex = adminIndex;
    }

    /**
     * Binds and starts every listener; throws if any address cannot be bound.
     *
     * @param certificates the serving configuration's {@code ssls}, consulted on every TLS handshake
     */
    /**
     * @param metrics the exporter's handler, used when the settings name a metrics listener
     * @param admin   the Admin API's handler, used when the settings configure it
     */
    public static GatewayServer start(ServerSettings settings, HttpHandler gateway, HttpHandler status, HttpHandler metrics,
                                      HttpHandler admin, Supplier<CertificateTable> certificates) {
        Undertow.Builder builder = Undertow.builder()
                .setIoThreads(settings.ioThreads())
                // the proxy path never blocks, so worker threads only serve rare blocking tasks
                .setWorkerThreads(Math.max(2, settings.ioThreads()))
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, settings.clientMaxBodySize())
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                .setSocketOption(Options.TCP_NODELAY, true)
                .setSocketOption(Options.BACKLOG, 4096);
        applyLimits(builder, settings.limits());
        InFlightRequests clientRequests = new InFlightRequests(gateway);
        for (ListenerSettings listener : settings.listeners()) {
            Undertow.ListenerBuilder l = new Undertow.ListenerBuilder()
                    .setHost(listener.host()).setPort(listener.port()).setRootHandler(clientRequests)
                    .setHttp2Enabled(listener.offerH2());
            if (listener.tls() == null) {
                l.setType(Undertow.ListenerType.HTTP);
            } else {
                CertificateTable.Entry own = CertificateTable.Entry.of("listener:" + listener.address(),
                        listener.tls().certPem(), listener.tls().keyPem());
                l.setType(Undertow.ListenerType.HTTPS).setSslContext(serverContext(new SniKeyManager(own, certificates)));
            }
            builder.addListener(l);
        }
        int next = settings.listeners().size();
        int statusIndex = -1;
        int metricsIndex = -1;
        if (settings.status() != null) {
            builder.addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTP)
                    .setHost(settings.status().host()).setPort(settings.status().port()).setRootHandler(status));
            statusIndex = next++;
        }
        if (settings.metrics() != null) {
            builder.addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTP)
                    .setHost(settings.metrics().host()).setPort(settings.metrics().port()).setRootHandler(metrics));
            metricsIndex = next++;
        }
        int adminIndex = -1;
        if (settings.admin() != null) {
            builder.addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTP)
                    .setHost(settings.admin().address().host()).setPort(settings.admin().address().port()).setRootHandler(admin));
            adminIndex = next;
        }
        Undertow undertow = builder.build();
        undertow.start();
        return new GatewayServer(undertow, clientRequests, settings.listeners().size(), statusIndex, metricsIndex, adminIndex);
    }

    /**
     * Undertow's own caps sit well above the configured limits, so that a moderately oversized
     * request reaches {@link RequestGuard} and gets its 414 or 431; only an absurd one is cut off
     * by the parser (400, connection closed) before any memory is spent on it.
     */
    private static void applyLimits(Undertow.Builder builder, RequestLimits limits) {
        builder.setServerOption(UndertowOptions.MAX_HEADER_SIZE,
                        Math.max(64 * 1024, 4 * (limits.maxUriLength() + limits.maxHeaderSize())))
                .setServerOption(UndertowOptions.MAX_HEADERS, Math.max(200, 4 * limits.maxHeaders()))
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, millis(limits.headerTimeout()))
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, millis(limits.keepaliveTimeout()));
        if (limits.bodyTimeout() > 0) {
            builder.setSocketOption(Options.READ_TIMEOUT, millis(limits.bodyTimeout()));
        }
        if (limits.maxConnections() > 0) {
            // above the high water mark the listener stops accepting; connections wait in the backlog
            builder.setSocketOption(Options.CONNECTION_HIGH_WATER, limits.maxConnections())
                    .setSocketOption(Options.CONNECTION_LOW_WATER, limits.maxConnections());
        }
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

    /** Bound addresses of the client-facing listeners, in configuration order (ephemeral ports resolved). */
    public List<InetSocketAddress> listenerAddresses() {
        List<InetSocketAddress> out = new ArrayList<>();
        var info = undertow.getListenerInfo();
        for (int i = 0; i < clientListeners; i++) {
            out.add((InetSocketAddress) info.get(i).getAddress());
        }
        return out;
    }

    /** Bound address of the status listener, or null when it is off. */
    public InetSocketAddress statusAddress() {
        return statusIndex < 0 ? null : (InetSocketAddress) undertow.getListenerInfo().get(statusIndex).getAddress();
    }

    /** Bound address of the metrics exporter, or null when it is off. */
    public InetSocketAddress metricsAddress() {
        return metricsIndex < 0 ? null : (InetSocketAddress) undertow.getListenerInfo().get(metricsIndex).getAddress();
    }

    /**
     * Turns new client requests away (see {@link InFlightRequests}) and waits up to {@code graceMillis} for those in flight to finish.
     *
     * @return whether every request in flight finished in time
     */
    public boolean drain(long graceMillis) throws InterruptedException {
        return clientRequests.drain(graceMillis);
    }

    /** Bound address of the Admin API, or null when it is off. */
    public InetSocketAddress adminAddress() {
        return adminIndex < 0 ? null : (InetSocketAddress) undertow.getListenerInfo().get(adminIndex).getAddress();
    }

    @Override
    public void close() {
        undertow.stop();
    }
}
