package io.tidegate.proxy.pool;

import io.undertow.client.ALPNClientSelector;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.http2.Http2ClientConnection;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.http2.Http2Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.xnio.ChannelListener;
import org.xnio.IoFuture;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.ssl.SslConnection;
import org.xnio.ssl.XnioSsl;

/**
 * Opens HTTP/2 connections to one node for Undertow's HTTP/2 client: cleartext starting with the
 * connection preface (prior knowledge, as gRPC clients do), or TLS with ALPN {@code h2} required. Its
 * own provider rather than Undertow's because of {@link PingAckingChannel}.
 */
final class Http2Connector {
    private final InetSocketAddress address;
    private final XnioSsl ssl;
    private final OptionMap options;
    private final String authority;

    /** @param ssl null for cleartext (h2c) */
    Http2Connector(InetSocketAddress address, XnioSsl ssl, OptionMap options, String authority) {
        this.address = address;
        this.ssl = ssl;
        this.options = options;
        this.authority = authority;
    }

    void connect(XnioIoThread thread, ByteBufferPool buffers, ClientCallback<ClientConnection> callback) {
        IoFuture<? extends StreamConnection> opening = ssl == null
                ? thread.openStreamConnection(address, connection -> cleartext(connection, buffers, callback), options)
                : ssl.openSslConnection(thread, address, connection -> negotiate(connection, buffers, callback), options);
        opening.addNotifier((future, ignored) -> {
            if (future.getStatus() == IoFuture.Status.FAILED) {
                callback.failed(future.getException());
            }
        }, null);
    }

    private void cleartext(StreamConnection connection, ByteBufferPool buffers, ClientCallback<ClientConnection> callback) {
        // a client-side Http2Channel opens with the connection preface and its SETTINGS itself
        callback.completed(new Http2ClientConnection(channel(connection, buffers), false, authority, null, false));
    }

    private void negotiate(SslConnection connection, ByteBufferPool buffers, ClientCallback<ClientConnection> callback) {
        ALPNClientSelector.runAlpn(connection, refused -> {
            IoUtils.safeClose(refused);
            callback.failed(new IOException("the node did not agree to HTTP/2 (ALPN h2) over TLS"));
        }, callback, new ALPNClientSelector.ALPNProtocol(
                negotiated -> callback.completed(new Http2ClientConnection(channel(negotiated, buffers), false, authority, null, true)),
                "h2"));
    }

    private Http2Channel channel(StreamConnection connection, ByteBufferPool buffers) {
        return new PingAckingChannel(connection, buffers, options);
    }

    /**
     * Undertow's HTTP/2 channel, minus one misbehaviour of its client: besides acknowledging a PING
     * from the server, the client connection sends the same PING back as a new one of its own
     * (Http2ClientConnection.handlePing calls {@code sendPing} for every PING that is not an ACK).
     * gRPC servers ping to size their flow-control windows (BDP probing) and count pings they did
     * not ask for: grpc-java answered a 6 MB upload with GOAWAY ENHANCE_YOUR_CALM "too_many_pings".
     * The gateway never pings an upstream itself, so that public entry sends nothing; the
     * acknowledgement Undertow's channel sends on its own is untouched.
     */
    private static final class PingAckingChannel extends Http2Channel {
        PingAckingChannel(StreamConnection connection, ByteBufferPool buffers, OptionMap options) {
            super(connection, null, buffers, null, true, false, options);
        }

        @Override
        public void sendPing(byte[] data) {
            // only the echo of a server's PING comes here: see the class comment
        }
    }
}
