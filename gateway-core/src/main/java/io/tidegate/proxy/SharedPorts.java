package io.tidegate.proxy;

import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import org.xnio.ChannelListener;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.ssl.SslConnection;

/**
 * Listening sockets that a second gateway process may bind as well (SO_REUSEPORT), so that
 * {@code --upgrade} takes the ports over with no moment at which a connection is refused.
 *
 * <p>XNIO 3.8 has no option for SO_REUSEPORT and binds inside {@code createStreamConnectionServer}.
 * So the socket is opened and bound here and handed to the classes XNIO (and Undertow, for TLS)
 * would have wrapped it in; their constructors are not public, hence reflection. Whether that works
 * is settled once, when the class loads, so a changed XNIO turns the feature off with a reason
 * instead of failing a bind.
 */
final class SharedPorts {
    private static final Constructor<?> TCP_SERVER;
    private static final Constructor<?> QUEUED_SERVER;
    private static final Constructor<?> SSL_SERVER;
    private static final Field SSL_BUFFERS;
    private static final String UNAVAILABLE;

    static {
        Constructor<?> tcp = null;
        Constructor<?> queued = null;
        Constructor<?> ssl = null;
        Field buffers = null;
        String reason = null;
        try {
            if (!ServerSocketChannel.open().supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                reason = "this platform has no SO_REUSEPORT";
            } else {
                Class<?> worker = Class.forName("org.xnio.nio.NioXnioWorker");
                Class<?> tcpClass = Class.forName("org.xnio.nio.NioTcpServer");
                tcp = tcpClass.getDeclaredConstructor(worker, ServerSocketChannel.class, OptionMap.class, boolean.class);
                queued = Class.forName("org.xnio.nio.QueuedNioTcpServer2").getDeclaredConstructor(tcpClass);
                ssl = Class.forName("io.undertow.protocols.ssl.UndertowAcceptingSslChannel").getDeclaredConstructor(
                        UndertowXnioSsl.class, AcceptingChannel.class, OptionMap.class, ByteBufferPool.class, boolean.class);
                buffers = UndertowXnioSsl.class.getDeclaredField("bufferPool");
                tcp.setAccessible(true);
                queued.setAccessible(true);
                ssl.setAccessible(true);
                buffers.setAccessible(true);
            }
        } catch (IOException | ReflectiveOperationException | RuntimeException e) {
            reason = "the XNIO/Undertow in use does not let a bound socket be given to it (" + e + ")";
        }
        TCP_SERVER = tcp;
        QUEUED_SERVER = queued;
        SSL_SERVER = ssl;
        SSL_BUFFERS = buffers;
        UNAVAILABLE = reason;
    }

    private SharedPorts() {}

    /** Null when ports can be shared; else why not. */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** A TCP server on {@code address} with SO_REUSEPORT, as {@link XnioWorker#createStreamConnectionServer} would build it. */
    @SuppressWarnings("unchecked")
    static AcceptingChannel<StreamConnection> bind(XnioWorker worker, InetSocketAddress address, OptionMap options,
                                                   ChannelListener<? super AcceptingChannel<StreamConnection>> accept) throws IOException {
        if (UNAVAILABLE != null) {
            throw new IOException("cannot share the port: " + UNAVAILABLE);
        }
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            channel.configureBlocking(false);
            channel.bind(address, options.get(Options.BACKLOG, 128));
            Object server = QUEUED_SERVER.newInstance(TCP_SERVER.newInstance(worker, channel, options, true));
            AcceptingChannel<StreamConnection> accepting = (AcceptingChannel<StreamConnection>) server;
            accepting.getAcceptSetter().set(accept);
            return accepting;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        } catch (InvocationTargetException e) {
            channel.close();
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (ReflectiveOperationException e) {
            channel.close();
            throw new IOException(e);
        }
    }

    /** TLS over {@code tcp}, as {@link UndertowXnioSsl#createSslConnectionServer} would wrap it. */
    @SuppressWarnings("unchecked")
    static AcceptingChannel<SslConnection> tls(UndertowXnioSsl ssl, AcceptingChannel<StreamConnection> tcp, OptionMap options,
                                               ChannelListener<? super AcceptingChannel<SslConnection>> accept) throws IOException {
        try {
            AcceptingChannel<SslConnection> server = (AcceptingChannel<SslConnection>) SSL_SERVER.newInstance(
                    ssl, tcp, options, SSL_BUFFERS.get(ssl), false);
            server.getAcceptSetter().set(accept);
            return server;
        } catch (ReflectiveOperationException e) {
            tcp.close();
            throw new IOException(e);
        }
    }
}
