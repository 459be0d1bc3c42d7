package io.tidegate.testing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A minimal HTTP/2 client over TLS (ALPN "h2") that writes its frames itself, so a test can send
 * what a real client library refuses to: header names and values with any bytes, streams beyond
 * the server's limit, resets right after HEADERS. It keeps a reading thread that answers the
 * server's SETTINGS and PING, decodes responses, and records per stream how it ended
 * ({@link H2Response}), plus the server's SETTINGS and any GOAWAY.
 *
 * <p>Flow control: this client opens its receive windows to the maximum at once, so it never
 * sends WINDOW_UPDATE later; it does not track the server's windows, so tests send only small
 * request bodies (well under 64 KiB per stream).
 */
public final class RawH2Client implements AutoCloseable {
    public static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
    public static final int SETTINGS_ENABLE_PUSH = 0x2;
    public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
    public static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_WINDOW = 0x7fffffff;

    /** The server's GOAWAY. */
    public record GoAway(int lastStreamId, long errorCode, String debug) {}

    private final Socket tcp;
    private final OutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Replies of the reading thread (ACKs) that waited because a test was writing. */
    private final Queue<H2Frame> replies = new ConcurrentLinkedQueue<>();
    private final AtomicInteger nextStreamId = new AtomicInteger(1);
    private final Map<Integer, StreamState> streams = new ConcurrentHashMap<>();
    private final Map<Integer, Long> serverSettings = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> settingsArrived = new CompletableFuture<>();
    private final CompletableFuture<GoAway> goAway = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final HpackResponseDecoder hpack = new HpackResponseDecoder();
    private final Thread reader;
    private boolean batching;

    private RawH2Client(Socket tcp, Socket stream) throws IOException {
        this.tcp = tcp;
        this.out = new BufferedOutputStream(stream.getOutputStream(), 64 * 1024);
        InputStream in = stream.getInputStream();
        this.reader = new Thread(() -> readLoop(new DataInputStream(new java.io.BufferedInputStream(in, 64 * 1024))),
                "raw-h2-reader-" + tcp.getLocalPort());
        reader.setDaemon(true);
    }

    /** Connects with TLS and ALPN h2, sends the preface and SETTINGS, and waits for the server's SETTINGS. */
    public static RawH2Client connect(int port, SSLContext context) throws IOException {
        Socket tcp = new Socket();
        tcp.setTcpNoDelay(true);
        tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(tcp, "localhost", port, true);
        SSLParameters parameters = tls.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        tls.setSSLParameters(parameters);
        tls.startHandshake();
        if (!"h2".equals(tls.getApplicationProtocol())) {
            tls.close();
            throw new IOException("the server did not choose h2 by ALPN (chose '" + tls.getApplicationProtocol() + "')");
        }
        RawH2Client client = new RawH2Client(tcp, tls);
        client.start();
        return client;
    }

    /** Connects without TLS and speaks HTTP/2 at once (h2c with prior knowledge, as gRPC's plaintext clients do). */
    public static RawH2Client connectPlain(int port) throws IOException {
        Socket tcp = new Socket();
        tcp.setTcpNoDelay(true);
        tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        RawH2Client client = new RawH2Client(tcp, tcp);
        client.start();
        return client;
    }

    private void start() throws IOException {
        writeLock.lock();
        try {
            out.write(PREFACE);
            byte[] settings = new byte[12];
            setting(settings, 0, SETTINGS_ENABLE_PUSH, 0);
            setting(settings, 6, SETTINGS_INITIAL_WINDOW_SIZE, MAX_WINDOW);
            new H2Frame(H2Frame.SETTINGS, 0, 0, settings).write(out);
            new H2Frame(H2Frame.WINDOW_UPDATE, 0, 0, H2Frame.int32s(MAX_WINDOW - 65_535)).write(out);
            out.flush();
        } finally {
            writeLock.unlock();
        }
        reader.start();
        try {
            settingsArrived.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            close();
            throw new IOException("no SETTINGS from the server within 5 s", e);
        }
    }

    private static void setting(byte[] into, int offset, int id, long value) {
        into[offset] = (byte) (id >>> 8);
        into[offset + 1] = (byte) id;
        System.arraycopy(H2Frame.int32s(value), 0, into, offset + 2, 4);
    }

    // ---- what the server said ------------------------------------------------------------------

    /** The server's SETTINGS (the latest value of each), e.g. {@link #SETTINGS_MAX_CONCURRENT_STREAMS}. */
    public Map<Integer, Long> serverSettings() {
        return Map.copyOf(serverSettings);
    }

    /** The server's GOAWAY, waiting up to {@code wait} for one; null when none came. */
    public GoAway awaitGoAway(Duration wait) {
        try {
            return goAway.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the connection has ended (read side). */
    public boolean isClosed() {
        return closed.isDone();
    }

    /** How stream {@code streamId} ended, waiting up to {@code wait}; throws when it has not. */
    public H2Response await(int streamId, Duration wait) {
        try {
            return state(streamId).done.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("stream " + streamId + " did not end within " + wait.toMillis() + " ms");
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The outcome of stream {@code streamId} if it has ended, else null. */
    public H2Response outcome(int streamId) {
        return state(streamId).done.getNow(null);
    }

    // ---- sending --------------------------------------------------------------------------------

    /** Sends a whole request: HEADERS, then the body as one DATA frame when there is one. Returns the stream id. */
    public int request(List<H2Header> headers, byte[] body) throws IOException {
        boolean hasBody = body != null && body.length > 0;
        int id = headers(headers, !hasBody);
        if (hasBody) {
            data(id, body, true);
        }
        return id;
    }

    /** A GET of {@code path}, waiting for its outcome. */
    public H2Response get(String path, Duration wait) throws IOException {
        return await(request(H2Header.get(path), null), wait);
    }

    /** Opens a new stream with a HEADERS frame (and CONTINUATIONs for a large block); returns its id. */
    public int headers(List<H2Header> headers, boolean endStream) throws IOException {
        int id = nextStreamId.getAndAdd(2);
        state(id);
        byte[] block = HpackLiteralEncoder.encode(headers);
        List<H2Frame> frames = new ArrayList<>();
        int offset = 0;
        do {
            int size = Math.min(H2Frame.MAX_PAYLOAD, block.length - offset);
            boolean last = offset + size == block.length;
            byte[] piece = java.util.Arrays.copyOfRange(block, offset, offset + size);
            int flags = (last ? H2Frame.END_HEADERS : 0) | (offset == 0 && endStream ? H2Frame.END_STREAM : 0);
            frames.add(new H2Frame(offset == 0 ? H2Frame.HEADERS : H2Frame.CONTINUATION, flags, id, piece));
            offset += size;
        } while (offset < block.length);
        send(frames.toArray(H2Frame[]::new));
        return id;
    }

    public void data(int streamId, byte[] bytes, boolean endStream) throws IOException {
        send(new H2Frame(H2Frame.DATA, endStream ? H2Frame.END_STREAM : 0, streamId, bytes));
    }

    public void reset(int streamId, long errorCode) throws IOException {
        send(new H2Frame(H2Frame.RST_STREAM, 0, streamId, H2Frame.int32s(errorCode)));
    }

    /**
     * Runs {@code frames} with flushing held back, so everything it sends leaves in as few TCP
     * segments as possible (what an attacker packing frames does).
     */
    public void batch(IoAction frames) throws IOException {
        writeLock.lock();
        try {
            batching = true;
            try {
                frames.run();
            } finally {
                batching = false;
            }
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /** Code that sends frames. */
    @FunctionalInterface
    public interface IoAction {
        void run() throws IOException;
    }

    private void send(H2Frame... frames) throws IOException {
        writeLock.lock();
        try {
            writePendingReplies();
            for (H2Frame frame : frames) {
                frame.write(out);
            }
            if (!batching) {
                out.flush();
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void writePendingReplies() throws IOException {
        H2Frame reply;
        while ((reply = replies.poll()) != null) {
            reply.write(out);
        }
    }

    /** A reply from the reading thread; it must never wait for a test's long write, or both sides could stall. */
    private void reply(H2Frame frame) {
        replies.add(frame);
        if (writeLock.tryLock()) {
            try {
                writePendingReplies();
                out.flush();
            } catch (IOException e) {
                // the connection is going; the reading side will notice
            } finally {
                writeLock.unlock();
            }
        }
    }

    // ---- reading --------------------------------------------------------------------------------

    private void readLoop(DataInputStream in) {
        int continuing = -1;
        try {
            H2Frame frame;
            while ((frame = H2Frame.read(in)) != null) {
                if (continuing >= 0 && frame.type() != H2Frame.CONTINUATION) {
                    throw new IOException("a header block was interrupted by a frame of type " + frame.type());
                }
                switch (frame.type()) {
                    case H2Frame.SETTINGS -> settings(frame);
                    case H2Frame.PING -> {
                        if (!frame.has(H2Frame.ACK)) {
                            reply(new H2Frame(H2Frame.PING, H2Frame.ACK, 0, frame.payload()));
                        }
                    }
                    case H2Frame.HEADERS -> {
                        StreamState stream = state(frame.streamId());
                        stream.beginBlock(frame.content(), frame.has(H2Frame.END_STREAM));
                        continuing = frame.has(H2Frame.END_HEADERS) ? endBlock(stream) : frame.streamId();
                    }
                    case H2Frame.CONTINUATION -> {
                        StreamState stream = state(frame.streamId());
                        stream.block.write(frame.payload());
                        continuing = frame.has(H2Frame.END_HEADERS) ? endBlock(stream) : continuing;
                    }
                    case H2Frame.DATA -> {
                        StreamState stream = state(frame.streamId());
                        stream.body.write(frame.content());
                        if (frame.has(H2Frame.END_STREAM)) {
                            stream.finish(-1, false);
                        }
                    }
                    case H2Frame.RST_STREAM -> state(frame.streamId()).finish(H2Frame.int32(frame.payload(), 0) & 0xffffffffL, false);
                    case H2Frame.GOAWAY -> goAway(frame);
                    default -> { } // WINDOW_UPDATE, PRIORITY, unknown types: nothing to do for a test client
                }
            }
        } catch (IOException e) {
            // reset, or TLS ended without close_notify: the connection is over either way
        } finally {
            closed.complete(null);
            settingsArrived.completeExceptionally(new IOException("connection closed"));
            streams.values().forEach(stream -> stream.finish(-1, true));
        }
    }

    private int endBlock(StreamState stream) throws IOException {
        stream.headersComplete(hpack.decode(stream.block.toByteArray()));
        return -1;
    }

    private void settings(H2Frame frame) {
        if (frame.has(H2Frame.ACK)) {
            return;
        }
        byte[] p = frame.payload();
        for (int i = 0; i + 6 <= p.length; i += 6) {
            int id = ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
            serverSettings.put(id, H2Frame.int32(p, i + 2) & 0xffffffffL);
        }
        reply(new H2Frame(H2Frame.SETTINGS, H2Frame.ACK, 0, new byte[0]));
        settingsArrived.complete(null);
    }

    private void goAway(H2Frame frame) {
        byte[] p = frame.payload();
        int last = H2Frame.int32(p, 0) & 0x7fffffff;
        long code = H2Frame.int32(p, 4) & 0xffffffffL;
        goAway.complete(new GoAway(last, code, new String(p, 8, p.length - 8, StandardCharsets.ISO_8859_1)));
        // streams above the last one the server processed will never be answered
        streams.forEach((id, stream) -> {
            if (id > last) {
                stream.finish(-1, true);
            }
        });
    }

    private StreamState state(int streamId) {
        return streams.computeIfAbsent(streamId, id -> new StreamState());
    }

    /** One stream as the reading thread assembles it. */
    private static final class StreamState {
        final CompletableFuture<H2Response> done = new CompletableFuture<>();
        final ByteArrayOutputStream block = new ByteArrayOutputStream();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        final Map<String, List<String>> headers = new LinkedHashMap<>();
        boolean blockEndsStream;
        int status = -1;
        int headerBlocks;

        void beginBlock(byte[] fragment, boolean endStream) {
            block.reset();
            block.writeBytes(fragment);
            blockEndsStream = endStream;
        }

        void headersComplete(List<H2Header> fields) {
            String statusText = fields.stream().filter(f -> f.name().equals(":status")).map(H2Header::value).findFirst().orElse(null);
            if (statusText != null && statusText.startsWith("1")) {
                return; // an interim response: the real one follows
            }
            if (statusText != null) {
                status = Integer.parseInt(statusText);
            }
            headerBlocks++;
            for (H2Header field : fields) {
                headers.computeIfAbsent(field.name(), n -> new ArrayList<>()).add(field.value());
            }
            if (blockEndsStream) {
                finish(-1, false);
            }
        }

        void finish(long resetCode, boolean connectionLost) {
            done.complete(new H2Response(status, Map.copyOf(headers), body.toByteArray(), resetCode, connectionLost, headerBlocks));
        }
    }

    // ---- ending ---------------------------------------------------------------------------------

    /** Cuts the connection at once: no GOAWAY, no TLS close_notify, a TCP reset (SO_LINGER 0). */
    public void abort() {
        try {
            tcp.setSoLinger(true, 0);
            tcp.close();
        } catch (IOException e) {
            // gone already
        }
        awaitReaderEnd();
    }

    /** Closes the TCP connection (a FIN; no GOAWAY, no close_notify, which could wait on the reading thread). */
    @Override
    public void close() {
        try {
            tcp.close();
        } catch (IOException e) {
            // gone already
        }
        awaitReaderEnd();
    }

    private void awaitReaderEnd() {
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
