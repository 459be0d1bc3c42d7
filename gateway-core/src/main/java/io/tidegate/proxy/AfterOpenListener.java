package io.tidegate.proxy;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.DelegateOpenListener;
import io.undertow.server.HttpHandler;
import java.util.function.Consumer;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;

/**
 * One of Undertow's protocol listeners (HTTP/1.1, HTTP/2) as ALPN hands it a connection, with
 * something to do once it has taken the connection over (it replaces the connection's close
 * listener, which {@link ClientConnections} must keep hearing).
 */
final class AfterOpenListener implements DelegateOpenListener {
    private final DelegateOpenListener listener;
    private final Consumer<StreamConnection> afterOpen;

    AfterOpenListener(DelegateOpenListener listener, Consumer<StreamConnection> afterOpen) {
        this.listener = listener;
        this.afterOpen = afterOpen;
    }

    @Override
    public void handleEvent(StreamConnection channel, PooledByteBuffer additionalData) {
        listener.handleEvent(channel, additionalData);
        afterOpen.accept(channel);
    }

    @Override
    public void handleEvent(StreamConnection channel) {
        listener.handleEvent(channel);
        afterOpen.accept(channel);
    }

    @Override
    public HttpHandler getRootHandler() {
        return listener.getRootHandler();
    }

    @Override
    public void setRootHandler(HttpHandler rootHandler) {
        listener.setRootHandler(rootHandler);
    }

    @Override
    public OptionMap getUndertowOptions() {
        return listener.getUndertowOptions();
    }

    @Override
    public void setUndertowOptions(OptionMap undertowOptions) {
        listener.setUndertowOptions(undertowOptions);
    }

    @Override
    public ByteBufferPool getBufferPool() {
        return listener.getBufferPool();
    }

    @Override
    public ConnectorStatistics getConnectorStatistics() {
        return listener.getConnectorStatistics();
    }
}
