package io.tidegate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable upstream on an ephemeral loopback port that records every byte it receives, per
 * connection, and answers with whatever raw bytes its {@link Script} writes: an endless head, a
 * 103 before the 200, two Content-Lengths, header lines dripped slowly. It counts the connections
 * open at the moment (and the most ever open at once), so a test can see the gateway's
 * connections to it, and tells whether a connection carried a complete request or was closed in
 * the middle of one.
 *
 * <p>Each connection has its own thread running the script. While the script waits
 * ({@link Connection#quiet}) or reads, the connection keeps recording and notices at once when
 * the gateway closes it; after the script returns, it records until the gateway closes.
 */
public final class RawUpstream implements AutoCloseable {
    /** A plain 200 with a small body, keep-alive. */
    public static final String OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";

    /** What the upstream does on one connection. */
    @FunctionalInterface
    public interface Script {
        void serve(Connection connection) throws IOException;
    }

    private final ServerSocket server;
    private final Script script;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final AtomicInteger requestHeads = new AtomicInteger();
    private final Thread acceptor;

    private RawUpstream(Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket(0, 4096, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "raw-upstream-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static RawUpstream start(Script script) {
        try {
            return new RawUpstream(script);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Answers every request on a connection with {@code response}, as soon as the request is complete. */
    public static Script answering(String response) {
        return answeringAfter(0, response);
    }

    /** Answers every request with {@code response} {@code millis} after it is complete: a slow node. */
    public static Script answeringAfter(long millis, String response) {
        return connection -> {
            while (connection.readRequest() != null) {
                if (millis > 0 && !connection.quiet(millis)) {
                    return;
                }
                connection.write(response);
            }
        };
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            Connection connection = new Connection(socket, connections.size());
            connections.add(connection);
            int now = open.incrementAndGet();
            maxOpen.accumulateAndGet(now, Math::max);
            Thread thread = new Thread(() -> run(connection), "raw-upstream-" + port() + "-" + connection.index);
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void run(Connection connection) {
        try {
            script.serve(connection);
            connection.readUntilClosed();
        } catch (IOException e) {
            // the gateway went away while the script wrote: the connection is over
        } finally {
            connection.end();
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code 127.0.0.1:port}, as a node address. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Connections open right now (accepted and not yet closed by either side). */
    public int openConnections() {
        return open.get();
    }

    /** The most connections that were open at once. */
    public int maxOpenConnections() {
        return maxOpen.get();
    }

    /** Every connection accepted so far, in order. */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** Request heads received in full, on all connections: how many requests reached this node. */
    public int requestHeads() {
        return requestHeads.get();
    }

    /** Bytes received on all connections. */
    public long bytesReceived() {
        long total = 0;
        for (Connection connection : connections) {
            total += connection.length();
        }
        return total;
    }

    /** How much each connection had received at one moment (see {@link #receivedSince}). */
    public record Mark(List<Integer> lengths) {}

    public Mark mark() {
        return new Mark(connections.stream().map(Connection::length).toList());
    }

    /**
     * What arrived after {@code mark}, connection by connection, readable ("" when nothing did):
     * what reached the upstream during one part of a test.
     */
    public String receivedSince(Mark mark) {
        StringBuilder out = new StringBuilder();
        List<Connection> all = connections();
        for (int i = 0; i < all.size(); i++) {
            byte[] bytes = all.get(i).received();
            int from = i < mark.lengths().size() ? mark.lengths().get(i) : 0;
            if (bytes.length > from) {
                out.append("--- connection ").append(i).append(":\n")
                        .append(TestText.visible(new String(bytes, from, bytes.length - from, StandardCharsets.ISO_8859_1), 2000))
                        .append('\n');
            }
        }
        return out.toString();
    }

    /** Everything received, connection by connection, for failure messages. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        for (Connection connection : connections) {
            out.append("--- connection ").append(connection.index).append(connection.isOpen() ? " (open)" : " (closed)")
                    .append(":\n").append(TestText.visible(connection.receivedText(), 2000)).append('\n');
        }
        return out.length() == 0 ? "(no connections)" : out.toString();
    }

    /** Waits until every connection so far has closed; false when {@code wait} passed first. */
    public boolean awaitAllClosed(Duration wait) {
        return Await.until(wait, () -> connections.stream().noneMatch(Connection::isOpen));
    }

    /** Waits until at least {@code count} request heads arrived; false when {@code wait} passed first. */
    public boolean awaitRequestHeads(int count, Duration wait) {
        return Await.until(wait, () -> requestHeads.get() >= count);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Connection connection : connections) {
            connection.closeSocket();
        }
    }

    /** One connection from the gateway: what it sent, and the script's means to read and answer. */
    public final class Connection {
        private final Socket socket;
        private final int index;
        private final InputStream in;
        private final OutputStream out;
        private byte[] data = new byte[8192];
        private int length;
        /** Where the script's next request starts in {@link #data}. */
        private int consumed;
        private volatile boolean open = true;
        private volatile boolean peerClosed;

        Connection(Socket socket, int index) {
            this.socket = socket;
            this.index = index;
            try {
                socket.setTcpNoDelay(true);
                this.in = socket.getInputStream();
                this.out = socket.getOutputStream();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Every byte received on this connection so far. */
        public synchronized byte[] received() {
            return Arrays.copyOf(data, length);
        }

        public String receivedText() {
            return new String(received(), StandardCharsets.ISO_8859_1);
        }

        synchronized int length() {
            return length;
        }

        /** Whether the connection is still open (neither side has closed it). */
        public boolean isOpen() {
            return open;
        }

        /** Whether the gateway closed (or reset) the connection. */
        public boolean closedByPeer() {
            return peerClosed;
        }

        /** The complete requests among the bytes received, in order (head and body each). */
        public List<String> completeRequests() {
            byte[] bytes = received();
            List<String> requests = new ArrayList<>();
            int start = 0;
            int end;
            while (start < bytes.length && (end = RequestBytes.requestEnd(bytes, start, bytes.length)) > 0) {
                requests.add(new String(bytes, start, end - start, StandardCharsets.ISO_8859_1));
                start = end;
            }
            return requests;
        }

        // ---- the script's side ---------------------------------------------------------------

        /**
         * Reads the next request in full (head and the body it declares) and returns it, or null
         * when the connection ended before it was complete.
         */
        public String readRequest() throws IOException {
            return readUntil(true);
        }

        /** Reads the next request head only (the body stays unread), or null when the connection ended first. */
        public String readHead() throws IOException {
            return readUntil(false);
        }

        private String readUntil(boolean wholeRequest) throws IOException {
            int start = consumed;
            boolean headCounted = false;
            while (true) {
                byte[] bytes;
                int to;
                synchronized (this) {
                    bytes = data;
                    to = length;
                }
                int headEnd = RequestBytes.headEnd(bytes, start, to);
                if (headEnd > 0 && !headCounted) {
                    headCounted = true;
                    requestHeads.incrementAndGet();
                }
                int end = wholeRequest ? RequestBytes.requestEnd(bytes, start, to) : headEnd;
                if (end > 0) {
                    consumed = end;
                    return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
                }
                if (fill(0) < 0) {
                    return null;
                }
            }
        }

        /**
         * Waits {@code millis} without answering, still recording what arrives; false as soon as
         * the gateway closes the connection.
         */
        public boolean quiet(long millis) throws IOException {
            long deadline = System.nanoTime() + millis * 1_000_000;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return true;
                }
                if (fill((int) left) < 0) {
                    return false;
                }
            }
        }

        public void write(String raw) throws IOException {
            write(raw.getBytes(StandardCharsets.ISO_8859_1));
        }

        public void write(byte[] raw) throws IOException {
            out.write(raw);
            out.flush();
        }

        /** Records until the gateway closes the connection. */
        void readUntilClosed() throws IOException {
            while (fill(0) >= 0) {
                // recording
            }
        }

        /** Reads once (waiting up to {@code timeoutMillis}, 0 = no limit): bytes read, 0 on timeout, -1 at the end. */
        private int fill(int timeoutMillis) throws IOException {
            if (peerClosed) {
                return -1;
            }
            byte[] buffer = new byte[16 * 1024];
            int n;
            try {
                socket.setSoTimeout(timeoutMillis);
                n = in.read(buffer);
            } catch (SocketTimeoutException e) {
                return 0;
            } catch (IOException e) {
                n = -1; // reset: closed just the same
            }
            if (n < 0) {
                peerClosed = true;
                return -1;
            }
            synchronized (this) {
                if (length + n > data.length) {
                    data = Arrays.copyOf(data, Math.max(data.length * 2, length + n));
                }
                System.arraycopy(buffer, 0, data, length, n);
                length += n;
            }
            return n;
        }

        private void end() {
            closeSocket();
            if (open) {
                open = false;
                RawUpstream.this.open.decrementAndGet();
            }
        }

        private void closeSocket() {
            try {
                socket.close();
            } catch (IOException e) {
                // closed already
            }
        }
    }
}
