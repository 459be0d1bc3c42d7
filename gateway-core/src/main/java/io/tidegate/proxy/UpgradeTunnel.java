package io.tidegate.proxy;

import io.tidegate.proxy.pool.UpstreamConnection;
import io.undertow.connector.ByteBufferPool;
import io.undertow.util.Transfer;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.ChannelExceptionHandler;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;

/**
 * After a 101 Switching Protocols (a WebSocket handshake the route allows), the client's and the
 * node's connections are joined byte for byte until either side closes, which closes both. Bytes
 * the node sent right behind its 101 go to the client first.
 */
final class UpgradeTunnel {
    private UpgradeTunnel() {}

    static void start(StreamConnection client, UpstreamConnection node, ByteBuffer early, ByteBufferPool pool) {
        StreamConnection upstream = node.channel();
        ChannelExceptionHandler<java.nio.channels.Channel> closeBoth = (channel, e) -> IoUtils.safeClose(client, upstream);
        Runnable join = () -> {
            relay(upstream, client, closeBoth, pool);
            relay(client, upstream, closeBoth, pool);
        };
        if (!early.hasRemaining()) {
            join.run();
            return;
        }
        StreamSinkChannel sink = client.getSinkChannel();
        ChannelListener<StreamSinkChannel> writeEarly = channel -> {
            try {
                while (early.hasRemaining()) {
                    if (channel.write(early) == 0) {
                        channel.resumeWrites();
                        return;
                    }
                }
                channel.suspendWrites();
                channel.getWriteSetter().set(null);
                join.run();
            } catch (IOException e) {
                IoUtils.safeClose(client, upstream);
            }
        };
        sink.getWriteSetter().set(writeEarly);
        writeEarly.handleEvent(sink);
    }

    private static void relay(StreamConnection from, StreamConnection to,
                              ChannelExceptionHandler<java.nio.channels.Channel> onError, ByteBufferPool pool) {
        Transfer.initiateTransfer(from.getSourceChannel(), to.getSinkChannel(), ChannelListeners.closingChannelListener(),
                ChannelListeners.writeShutdownChannelListener(
                        ChannelListeners.<StreamSinkChannel>flushingChannelListener(ChannelListeners.closingChannelListener(),
                                ChannelListeners.closingChannelExceptionHandler()),
                        ChannelListeners.closingChannelExceptionHandler()),
                onError, onError, pool);
    }
}
