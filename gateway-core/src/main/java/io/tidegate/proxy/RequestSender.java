package io.tidegate.proxy;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;

/**
 * Writes the request to the upstream: the head, then the client's body as it arrives, framed by
 * the gateway (as declared, or chunked). A client body that fails (a malformed chunk, a reset, the
 * connection closing early, a declared length not met) is never finished on the client's behalf:
 * the upstream connection is closed without the final chunk, so the upstream sees the request
 * aborted rather than a shorter one presented as complete. Runs on the exchange's IO thread.
 */
final class RequestSender {
    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** What happens to the request, for the exchange that owns it. */
    interface Events {
        /** The first byte of the client's body was read (the request can no longer be replayed). */
        void bodyStarted();

        /** The whole request is with the upstream. */
        void requestSent();

        /** Writing to the upstream failed. */
        void upstreamWriteFailed(IOException cause);

        /** The client's body broke off; the upstream connection must be dropped. */
        void clientBodyFailed(IOException cause);
    }

    private final HttpServerExchange exchange;
    private final StreamSinkChannel upstream;
    private final RequestBodyPlan plan;
    private final Events events;
    private final ByteBuffer[] pending = new ByteBuffer[3];
    private int pendingCount;
    private boolean bodyTouched;
    private StreamSourceChannel client;
    private PooledByteBuffer pooled;
    private long bodyBytes;
    private boolean bodyEnded;
    private boolean stopped;

    RequestSender(HttpServerExchange exchange, StreamSinkChannel upstream, ByteBuffer head, RequestBodyPlan plan, Events events) {
        this.exchange = exchange;
        this.upstream = upstream;
        this.plan = plan;
        this.events = events;
        this.pending[0] = head;
        this.pendingCount = 1;
        this.bodyEnded = !plan.hasBody();
    }

    void start() {
        upstream.getWriteSetter().set(channel -> pump());
        if (!bodyEnded && HttpContinue.requiresContinueResponse(exchange)) {
            // The client waits for 100 before sending its body; the upstream never sees Expect.
            HttpContinue.sendContinueResponse(exchange, new IoCallback() {
                @Override
                public void onComplete(HttpServerExchange ex, Sender sender) {
                    pump();
                }

                @Override
                public void onException(HttpServerExchange ex, Sender sender, IOException e) {
                    fail(e, true);
                }
            });
            // the head can go while the 100 is on its way
            writeHeadOnly();
            return;
        }
        pump();
    }

    /** Stops sending (the exchange is over or the response came first); nothing more is written. */
    void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        upstream.getWriteSetter().set(null);
        upstream.suspendWrites();
        if (client != null) {
            client.getReadSetter().set(null);
            client.suspendReads();
        }
        if (pooled != null) {
            pooled.close();
            pooled = null;
        }
    }

    private void writeHeadOnly() {
        try {
            if (!drain()) {
                upstream.resumeWrites();
            }
        } catch (IOException e) {
            fail(e, false);
        }
    }

    private void pump() {
        if (stopped) {
            return;
        }
        while (true) {
            try {
                if (!drain()) {
                    upstream.resumeWrites();
                    return;
                }
                if (bodyEnded) {
                    if (!upstream.flush()) {
                        upstream.resumeWrites();
                        return;
                    }
                    upstream.suspendWrites();
                    upstream.getWriteSetter().set(null);
                    release();
                    stopped = true;
                    events.requestSent();
                    return;
                }
            } catch (IOException e) {
                fail(e, false);
                return;
            }
            if (!readBody()) {
                return;
            }
        }
    }

    /** Writes what is pending (one gathering write per chunk); true when all of it went. */
    private boolean drain() throws IOException {
        while (pendingCount > 0) {
            long written = upstream.write(pending, 0, pendingCount);
            if (!pending[pendingCount - 1].hasRemaining()) {
                pendingCount = 0;
                return true;
            }
            if (written == 0) {
                // TLS: a write that cannot go yet may have left handshake bytes behind that only a flush sends
                upstream.flush();
                return false;
            }
        }
        return true;
    }

    /** Reads the next piece of the client's body into pending; false when none is there yet (or it failed). */
    private boolean readBody() {
        if (client == null) {
            client = exchange.getRequestChannel();
            if (client == null) {
                fail(new IOException("the request body was already taken"), true);
                return false;
            }
            client.getReadSetter().set(channel -> {
                channel.suspendReads();
                pump();
            });
            pooled = exchange.getConnection().getByteBufferPool().allocate();
        }
        ByteBuffer buffer = pooled.getBuffer();
        buffer.clear();
        int read;
        try {
            read = client.read(buffer);
        } catch (IOException e) {
            fail(e, true);
            return false;
        }
        if (read == 0) {
            client.resumeReads();
            return false;
        }
        if (!bodyTouched) {
            bodyTouched = true;
            events.bodyStarted();
        }
        if (read < 0) {
            if (plan.kind() == RequestBodyPlan.Kind.LENGTH && bodyBytes != plan.length()) {
                fail(new IOException("the client sent " + bodyBytes + " of " + plan.length() + " body bytes"), true);
                return false;
            }
            bodyEnded = true;
            if (plan.kind() == RequestBodyPlan.Kind.CHUNKED) {
                pending[0] = ByteBuffer.wrap(LAST_CHUNK);
                pendingCount = 1;
            }
            return true;
        }
        bodyBytes += read;
        if (plan.kind() == RequestBodyPlan.Kind.LENGTH && bodyBytes > plan.length()) {
            fail(new IOException("the client sent more body bytes than its Content-Length"), true);
            return false;
        }
        buffer.flip();
        if (plan.kind() == RequestBodyPlan.Kind.CHUNKED) {
            pending[0] = ByteBuffer.wrap((Integer.toHexString(read) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            pending[1] = buffer;
            pending[2] = ByteBuffer.wrap(CRLF);
            pendingCount = 3;
        } else {
            pending[0] = buffer;
            pendingCount = 1;
        }
        return true;
    }

    private void fail(IOException cause, boolean clientSide) {
        if (stopped) {
            return;
        }
        stop();
        if (clientSide) {
            events.clientBodyFailed(cause);
        } else {
            events.upstreamWriteFailed(cause);
        }
    }

    private void release() {
        if (pooled != null) {
            pooled.close();
            pooled = null;
        }
    }
}
