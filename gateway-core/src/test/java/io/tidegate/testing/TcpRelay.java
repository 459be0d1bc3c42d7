package io.tidegate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on a fixed loopback port to another address, which a test can cut (every connection
 * closed, new ones refused) and restore: a network partition between the gateway and a service
 * that itself keeps running.
 */
public final class TcpRelay implements AutoCloseable {
    private final int port = FreePort.pick();
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong fromTarget = new java.util.concurrent.atomic.AtomicLong();
    private ServerSocket server;

    private TcpRelay(InetSocketAddress target) {
        this.target = target;
    }

    public static TcpRelay to(String host, int port) {
        TcpRelay relay = new TcpRelay(new InetSocketAddress(host, port));
        relay.restore();
        return relay;
    }

    public int port() {
        return port;
    }

    /** Bytes relayed from the target to clients so far: what a client read, say from etcd. */
    public long bytesFromTarget() {
        return fromTarget.get();
    }

    /** Listens again on the same port. */
    public synchronized void restore() {
        if (server != null) {
            return;
        }
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ServerSocket listening = server;
        daemon(() -> acceptLoop(listening), "relay-accept-" + port);
    }

    /** Closes every relayed connection and stops listening. */
    public synchronized void cut() {
        closeQuietly(server);
        server = null;
        open.forEach(TcpRelay::closeQuietly);
        open.clear();
    }

    @Override
    public void close() {
        cut();
    }

    private void acceptLoop(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket upstream = new Socket();
                upstream.connect(target, 2000);
                open.add(client);
                open.add(upstream);
                daemon(() -> pump(client, upstream, null), "relay-up-" + port);
                daemon(() -> pump(upstream, client, fromTarget), "relay-down-" + port);
            } catch (IOException e) {
                // closed by cut(), or the target refused: the client sees its connection end
            }
        }
    }

    private void pump(Socket from, Socket to, java.util.concurrent.atomic.AtomicLong counted) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                out.flush();
                if (counted != null) {
                    counted.addAndGet(n);
                }
            }
        } catch (IOException e) {
            // one side went away; closing both below ends the other direction too
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            open.remove(from);
            open.remove(to);
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        } catch (IOException e) {
            // already closed
        }
    }
}
