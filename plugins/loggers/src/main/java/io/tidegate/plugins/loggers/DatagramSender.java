package io.tidegate.plugins.loggers;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A UDP socket to one collector, for the batch processor's thread: opened on first use, and again
 * after a failure. The failure messages are APISIX's for each plugin, e.g. {@code failed to
 * connect to UDP server: host[...] port[...] err: ...}.
 */
final class DatagramSender implements AutoCloseable {
    private final String host;
    private final int port;
    private final int timeoutMillis;
    private final String unreachable;
    private final String notSent;
    private DatagramSocket socket;

    /**
     * @param unreachable how a host that does not resolve is reported ({@code failed to connect to UDP server})
     * @param notSent     how a failed send is reported ({@code failed to send data to UDP server})
     */
    DatagramSender(String host, int port, int timeoutMillis, String unreachable, String notSent) {
        this.host = host;
        this.port = port;
        this.timeoutMillis = timeoutMillis;
        this.unreachable = unreachable;
        this.notSent = notSent;
    }

    /** Sends each of {@code datagrams}; throws the batch processor's failure, its socket closed. */
    void send(List<byte[]> datagrams) throws BatchProcessor.Failure {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new BatchProcessor.Failure(unreachable + ": host[" + host + "] port[" + port + "] err: cannot resolve the host");
        }
        try {
            if (socket == null) {
                socket = new DatagramSocket();
                socket.setSoTimeout(timeoutMillis);
            }
            for (byte[] datagram : datagrams) {
                socket.send(new DatagramPacket(datagram, datagram.length, address));
            }
        } catch (IOException e) {
            close();
            throw new BatchProcessor.Failure(notSent + ": host[" + host + "] port[" + port + "] err: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }
}
