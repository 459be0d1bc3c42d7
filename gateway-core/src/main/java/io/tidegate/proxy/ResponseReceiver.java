package io.tidegate.proxy;

import io.tidegate.http1.ChunkedDecoder;
import io.tidegate.http1.ResponseBody;
import io.tidegate.http1.ResponseHead;
import io.tidegate.http1.ResponseHeadReader;
import io.tidegate.http1.UpstreamProtocolException;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.xnio.ChannelListeners;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * Reads the upstream's response and passes it to the client: interim (1xx) heads are dropped, the
 * final head is checked and handed to the exchange, then the body streams through, decoded from
 * the upstream's framing (the client's side frames it anew), with back-pressure both ways: when the
 * client cannot take more, the upstream is not read. A body that ends early is never presented as
 * complete. Runs on the exchange's IO thread.
 */
final class ResponseReceiver {
    /** Interim responses accepted before the real one; more is a broken upstream. */
    private static final int MAX_INTERIM = 16;

    /** What happens to the response, for the exchange that owns it. */
    interface Events {
        /**
         * The final head arrived; the exchange takes its status and fields. Returns the body's
         * framing, or null when the exchange took the connection over (an upgrade) with {@code rest}.
         * {@code fields} is the IO thread's map for the head being read: copy from it, never keep it.
         */
        ResponseBody head(ResponseHead head, HeaderMap fields, ByteBuffer rest) throws UpstreamProtocolException;

        /** The response broke before its head was complete; {@code answered} says whether any byte came. */
        void headFailed(IOException cause, boolean answered);

        /** The body came to its end; {@code reusable}: the connection holds nothing more and may serve again. */
        void bodyDone(boolean reusable);

        /** The upstream broke off in the middle of the body. */
        void bodyFailed(IOException cause);

        /** The client could not be written to. */
        void clientFailed(IOException cause);
    }

    private static final IoThreadLocal<HeaderMap> HEAD_FIELDS = new IoThreadLocal<>(thread -> new HeaderMap());

    private final HttpServerExchange exchange;
    private final StreamSourceChannel upstream;
    private final ResponseHeadReader headReader;
    private final Events events;
    private final boolean headRequest;
    private PooledByteBuffer pooled;
    private ByteBuffer in;
    private StreamSinkChannel client;
    private ResponseBody body;
    private ChunkedDecoder chunks;
    private long remaining;
    private int interim;
    private boolean keepAlive;
    private boolean stopped;

    ResponseReceiver(HttpServerExchange exchange, StreamSourceChannel upstream, int maxHeadSize, int maxHeaders,
                     Events events) {
        this.exchange = exchange;
        this.upstream = upstream;
        this.headReader = new ResponseHeadReader(maxHeadSize, maxHeaders);
        this.events = events;
        this.headRequest = exchange.getRequestMethod().equalToString("HEAD");
    }

    void start() {
        pooled = exchange.getConnection().getByteBufferPool().allocate();
        in = pooled.getBuffer();
        in.clear().flip(); // empty: the first pump reads
        upstream.getReadSetter().set(channel -> pump());
        upstream.resumeReads();
    }

    /** Whether the head has been handed to the exchange. */
    boolean headDone() {
        return body != null;
    }

    /** Stops reading and writing; frees the buffer. */
    void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        upstream.getReadSetter().set(null);
        upstream.suspendReads();
        if (client != null) {
            client.getWriteSetter().set(null);
            client.suspendWrites();
        }
        if (pooled != null) {
            pooled.close();
            pooled = null;
            in = null;
        }
    }

    private void pump() {
        while (!stopped) {
            if (body != null && complete()) {
                finish();
                return;
            }
            if (!in.hasRemaining() && !fill()) {
                return;
            }
            try {
                if (body == null) {
                    if (!readHead()) {
                        continue;
                    }
                    if (stopped || body == null) {
                        return;
                    }
                    if (body.kind() == ResponseBody.Kind.NONE) {
                        finish();
                        return;
                    }
                    client = exchange.getResponseChannel();
                    client.getWriteSetter().set(channel -> {
                        channel.suspendWrites();
                        pump();
                    });
                    continue;
                }
                long available = available();
                if (available < 0) {
                    finish();
                    return;
                }
                if (available > 0 && !write(available)) {
                    return;
                }
            } catch (UpstreamProtocolException e) {
                if (body == null) {
                    fail(e, true);
                } else {
                    stop();
                    events.bodyFailed(e);
                }
                return;
            }
        }
    }

    /** Reads from the upstream into the empty buffer; false when there is nothing now (or it ended). */
    private boolean fill() {
        in.clear();
        int read;
        try {
            read = upstream.read(in);
        } catch (IOException e) {
            in.flip();
            ended(e);
            return false;
        }
        in.flip();
        if (read == 0) {
            upstream.resumeReads();
            return false;
        }
        if (read < 0) {
            ended(null);
            return false;
        }
        return true;
    }

    /** The upstream closed (or its connection failed). */
    private void ended(IOException cause) {
        if (body == null) {
            fail(cause != null ? cause : new IOException("upstream closed the connection before its response head"),
                    headReader.received() > 0 || interim > 0);
        } else if (body.kind() == ResponseBody.Kind.UNTIL_CLOSE && cause == null) {
            keepAlive = false;
            finish();
        } else {
            stop();
            events.bodyFailed(cause != null ? cause : new IOException("upstream closed the connection in the middle of the body"));
        }
    }

    private boolean readHead() throws UpstreamProtocolException {
        if (!headReader.feed(in)) {
            return false;
        }
        HeaderMap fields = emptyFields();
        ResponseHead head = headReader.parse(fields);
        if (head.interim()) {
            // 103 Early Hints and friends: dropped, as nginx does; the real response follows
            if (++interim > MAX_INTERIM) {
                throw new UpstreamProtocolException("upstream sent more than " + MAX_INTERIM + " interim responses");
            }
            return false;
        }
        keepAlive = keepAlive(head, fields);
        ResponseBody framing = events.head(head, fields, in);
        if (framing == null) {
            return true; // upgraded: the exchange stopped this receiver and a tunnel owns the connection
        }
        body = framing;
        if (body.kind() == ResponseBody.Kind.LENGTH) {
            remaining = body.length();
        } else if (body.kind() == ResponseBody.Kind.CHUNKED) {
            chunks = new ChunkedDecoder(headReader.maxBytes());
        }
        return true;
    }

    /**
     * The IO thread's map for a head's fields, emptied: a map per response was the top site of
     * JFR's allocation samples, and 6% of the bytes a proxied request allocated. Off an IO
     * thread, a new map.
     */
    private static HeaderMap emptyFields() {
        XnioIoThread thread = XnioIoThread.currentThread();
        if (thread == null) {
            return new HeaderMap();
        }
        HeaderMap fields = HEAD_FIELDS.get(thread);
        fields.clear();
        return fields;
    }

    private static boolean keepAlive(ResponseHead head, HeaderMap fields) {
        String connection = fields.getFirst(io.undertow.util.Headers.CONNECTION);
        if (connection != null) {
            for (String token : connection.indexOf(',') < 0 ? new String[] {connection} : connection.split(",")) {
                String t = token.trim();
                if (t.equalsIgnoreCase("close")) {
                    return false;
                }
                if (t.equalsIgnoreCase("keep-alive")) {
                    return true;
                }
            }
        }
        return head.http11();
    }

    /** Whether the whole body has passed (without reading further: the next bytes are not this response's). */
    private boolean complete() {
        return body.kind() == ResponseBody.Kind.LENGTH && remaining == 0
                || body.kind() == ResponseBody.Kind.CHUNKED && chunks.done();
    }

    /** Body bytes ready at the buffer's position: -1 at the end of the body, 0 when more must be read. */
    private long available() throws UpstreamProtocolException {
        return switch (body.kind()) {
            case LENGTH -> remaining == 0 ? -1 : Math.min(remaining, in.remaining());
            case CHUNKED -> chunks.next(in);
            default -> in.remaining();
        };
    }

    /** Writes {@code count} body bytes to the client; false when the client must drain first. */
    private boolean write(long count) {
        int limit = in.limit();
        in.limit(in.position() + (int) count);
        int written;
        try {
            written = client.write(in);
        } catch (IOException e) {
            // an HTTP/2 stream the client reset ends the exchange inside write, which stopped this receiver
            if (!stopped) {
                in.limit(limit);
                stop();
                events.clientFailed(e);
            }
            return false;
        }
        if (stopped) {
            return false;
        }
        in.limit(limit);
        if (body.kind() == ResponseBody.Kind.LENGTH) {
            remaining -= written;
        } else if (body.kind() == ResponseBody.Kind.CHUNKED) {
            chunks.consumed(written);
        }
        if (written < count) {
            upstream.suspendReads();
            client.resumeWrites();
            return false;
        }
        return true;
    }

    /** The body is complete: the connection goes back (when clean), then the client's response ends. */
    private void finish() {
        boolean reusable = keepAlive && !in.hasRemaining();
        StreamSinkChannel sink = client;
        stop();
        events.bodyDone(reusable);
        if (sink == null) {
            exchange.endExchange();
            return;
        }
        try {
            sink.shutdownWrites();
            if (!sink.flush()) {
                sink.getWriteSetter().set(ChannelListeners.flushingChannelListener(null,
                        (channel, e) -> events.clientFailed(e)));
                sink.resumeWrites();
            }
        } catch (IOException e) {
            events.clientFailed(e);
        }
    }

    private void fail(IOException cause, boolean answered) {
        stop();
        events.headFailed(cause, answered);
    }
}
