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

    /** What an attempt ends with: a connection and its HTTP/2 channel, or a failure; exactly one, once. */
    interface Opened {
        void opened(ClientConnection connection, Http2Channel channel);

        void failed(IOException cause);
    }

    /**
     * One attempt to open a connection; {@link #cancel} gives up (a node that accepts TCP but stalls
     * its TLS handshake would otherwise hold the attempt open for good).
     */
    final class Attempt {
        private final Opened callback;
        private IoFuture<? extends StreamConnection> opening;
        private StreamConnection connection;
        private boolean settled;

        private Attempt(Opened callback) {
            this.callback = callback;
        }

        void cancel() {
            fail(new IOException("the connection to " + address + " was not ready in time (connect and handshake)"));
        }

        private void fail(IOException cause) {
            if (settled) {
                return;
            }
            settled = true;
            if (opening != null) {
                opening.cancel();
            }
            IoUtils.safeClose(connection);
            callback.failed(cause);
        }

        private void open(StreamConnection opened, Http2Channel channel, boolean secure) {
            if (settled) {
                IoUtils.safeClose(opened);
                return;
            }
            settled = true;
            callback.opened(new Http2ClientConnection(channel, false, authority, null, secure), channel);
        }
    }

    Attempt connect(XnioIoThread thread, ByteBufferPool buffers, Opened callback) {
        Attempt attempt = new Attempt(callback);
        attempt.opening = ssl == null
                ? thread.openStreamConnection(address, connection -> {
                    attempt.connection = connection;
                    // a client-side Http2Channel opens with the connection preface and its SETTINGS itself
                    attempt.open(connection, channel(connection, buffers), false);
                }, options)
                : ssl.openSslConnection(thread, address, connection -> {
                    attempt.connection = connection;
                    negotiate(attempt, connection, buffers);
                }, options);
        attempt.opening.addNotifier((future, ignored) -> {
            if (future.getStatus() == IoFuture.Status.FAILED) {
                attempt.fail(future.getException());
            }
        }, null);
        return attempt;
    }

    private void negotiate(Attempt attempt, SslConnection connection, ByteBufferPool buffers) {
        ClientCallback<ClientConnection> failure = new ClientCallback<>() {
            @Override
            public void completed(ClientConnection unused) {
                // the protocol listener below reports success
            }

            @Override
            public void failed(IOException cause) {
                attempt.fail(cause);
            }
        };
        ALPNClientSelector.runAlpn(connection,
                refused -> attempt.fail(new IOException("the node did not agree to HTTP/2 (ALPN h2) over TLS")), failure,
                new ALPNClientSelector.ALPNProtocol(negotiated -> attempt.open(negotiated, channel(negotiated, buffers), true), "h2"));
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
