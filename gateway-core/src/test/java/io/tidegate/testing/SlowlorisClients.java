package io.tidegate.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Slowloris: many connections from one address that each send part of a request head and then one
 * more header byte per second, never finishing it, to hold the server's connection slots. A
 * connection the server closes is dropped, not reopened. Closing this closes them all.
 */
public final class SlowlorisClients implements AutoCloseable {
    private static final byte[] START = "GET /slow HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
    private final List<Socket> sockets = new ArrayList<>();
    private final Thread dripper;
    private volatile boolean running = true;

    private SlowlorisClients(String fromAddress, int port, int count) {
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            try {
                socket.bind(new InetSocketAddress(fromAddress, 0));
                socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                socket.getOutputStream().write(START);
                sockets.add(socket);
            } catch (IOException e) {
                close(socket); // refused or closed at once: one fewer held
            }
        }
        dripper = new Thread(this::drip, "slowloris-" + fromAddress);
        dripper.setDaemon(true);
        dripper.start();
    }

    /** Opens {@code count} connections to 127.0.0.1:{@code port} from {@code fromAddress} (a loopback address). */
    public static SlowlorisClients open(String fromAddress, int port, int count) {
        return new SlowlorisClients(fromAddress, port, count);
    }

    private void drip() {
        while (running) {
            synchronized (sockets) {
                for (Iterator<Socket> it = sockets.iterator(); it.hasNext(); ) {
                    Socket socket = it.next();
                    try {
                        socket.getOutputStream().write('a');
                    } catch (IOException e) {
                        close(socket);
                        it.remove();
                    }
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Connections still held (as far as the last byte written tells). */
    public int held() {
        synchronized (sockets) {
            return sockets.size();
        }
    }

    @Override
    public void close() {
        running = false;
        dripper.interrupt();
        try {
            dripper.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (sockets) {
            sockets.forEach(SlowlorisClients::close);
            sockets.clear();
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closed already
        }
    }
}
