package io.tidegate.proxy.pool;

import java.net.InetSocketAddress;
import org.xnio.IoFuture;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.ssl.XnioSsl;

/**
 * Opens connections to one node: plain TCP, or TLS with the node's SNI name (the handshake runs
 * with the first bytes written). Connections open on the asking IO thread, which then owns them.
 */
final class Connector {
    private final InetSocketAddress address;
    private final XnioSsl ssl;
    private final OptionMap options;

    /** @param ssl null for plain HTTP */
    Connector(InetSocketAddress address, XnioSsl ssl, OptionMap options) {
        this.address = address;
        this.ssl = ssl;
        this.options = options;
    }

    IoFuture<? extends StreamConnection> open(XnioIoThread thread) {
        if (ssl == null) {
            return thread.openStreamConnection(address, null, options);
        }
        // the handshake starts with the first bytes written (the request head)
        return ssl.openSslConnection(thread, address, null, options);
    }

    String peer() {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
