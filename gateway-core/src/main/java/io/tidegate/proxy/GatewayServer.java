package io.tidegate.proxy;

import io.tidegate.config.ListenerSettings;
import io.tidegate.config.ServerSettings;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.xnio.Options;

/** The Undertow server: client-facing listeners with the gateway handler, plus the status listener. */
public final class GatewayServer implements AutoCloseable {
    private final Undertow undertow;
    private final int clientListeners;

    private GatewayServer(Undertow undertow, int clientListeners) {
        this.undertow = undertow;
        this.clientListeners = clientListeners;
    }

    /** Binds and starts every listener; throws if any address cannot be bound. */
    public static GatewayServer start(ServerSettings settings, HttpHandler gateway, HttpHandler status) {
        Undertow.Builder builder = Undertow.builder()
                .setIoThreads(settings.ioThreads())
                // the proxy path never blocks, so worker threads only serve rare blocking tasks
                .setWorkerThreads(Math.max(2, settings.ioThreads()))
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, settings.clientMaxBodySize())
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                .setSocketOption(Options.TCP_NODELAY, true)
                .setSocketOption(Options.BACKLOG, 4096);
        for (ListenerSettings listener : settings.listeners()) {
            builder.addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTP)
                    .setHost(listener.host()).setPort(listener.port()).setRootHandler(gateway));
        }
        if (settings.status() != null) {
            builder.addListener(new Undertow.ListenerBuilder().setType(Undertow.ListenerType.HTTP)
                    .setHost(settings.status().host()).setPort(settings.status().port()).setRootHandler(status));
        }
        Undertow undertow = builder.build();
        undertow.start();
        return new GatewayServer(undertow, settings.listeners().size());
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
        var info = undertow.getListenerInfo();
        return info.size() > clientListeners ? (InetSocketAddress) info.get(clientListeners).getAddress() : null;
    }

    @Override
    public void close() {
        undertow.stop();
    }
}
