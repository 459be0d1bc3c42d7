package io.tidegate.proxy;

import io.undertow.server.Connectors;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.ImmediatePooledByteBuffer;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.xnio.channels.StreamSourceChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A request body read whole for a plugin ({@code PluginContext.readBody}) and put back, so the
 * proxy sends the same bytes upstream. The read starts when the plugin's deferred decision parks
 * the exchange ({@link #startPending}). A body whose Content-Length is over the cap is refused
 * unread; one that grows past it as it arrives is refused then, holding no more than the cap. Undertow's receiver reads without blocking; a body longer
 * than the cap (by Content-Length, or as it arrives) completes with null and is never forwarded.
 */
final class RequestBody {
    private static final AttachmentKey<byte[]> KEY = AttachmentKey.create(byte[].class);
    private static final AttachmentKey<Runnable> PENDING = AttachmentKey.create(Runnable.class);
    private static final byte[] EMPTY = new byte[0];

    private RequestBody() {}

    static CompletionStage<byte[]> read(HttpServerExchange exchange, int maxBytes) {
        byte[] held = exchange.getAttachment(KEY);
        if (held != null) {
            return CompletableFuture.completedFuture(held.length <= maxBytes ? held : null);
        }
        if (exchange.isRequestComplete()) {
            return CompletableFuture.completedFuture(EMPTY);
        }
        if (exchange.getRequestContentLength() > maxBytes) {
            return CompletableFuture.completedFuture(null);  // refused before a byte is read or a buffer sized
        }
        CompletableFuture<byte[]> body = new CompletableFuture<>();
        exchange.putAttachment(PENDING, () -> receive(exchange, maxBytes, body));
        return body;
    }

    /**
     * Starts the read a plugin asked for, once the phases have parked the exchange: a read that
     * must wait for the network resumes the channel, which Undertow forbids in the same handler
     * call that dispatches the exchange.
     */
    static void startPending(HttpServerExchange exchange) {
        Runnable start = exchange.removeAttachment(PENDING);
        if (start != null) {
            start.run();
        }
    }

    /**
     * Reads chunk by chunk into a buffer that grows with what actually arrived (Undertow's full
     * read would size one from Content-Length up front), refusing as soon as the cap is passed.
     */
    private static void receive(HttpServerExchange exchange, int maxBytes, CompletableFuture<byte[]> body) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        exchange.getRequestReceiver().receivePartialBytes((ex, chunk, last) -> {
            if (body.isDone()) {
                return;
            }
            if ((long) received.size() + chunk.length > maxBytes) {
                ex.getRequestReceiver().pause();  // reads stay resumed otherwise, which a dispatch may not meet
                settle(ex, () -> body.complete(null));
                return;
            }
            received.write(chunk, 0, chunk.length);
            if (last) {
                byte[] bytes = received.toByteArray();
                ex.putAttachment(KEY, bytes);
                if (bytes.length > 0) {
                    Connectors.ungetRequestBytes(ex, new ImmediatePooledByteBuffer(ByteBuffer.wrap(bytes)));
                }
                Connectors.resetRequestChannel(ex);
                settle(ex, () -> body.complete(bytes));
            }
        }, (ex, failure) -> settle(ex, () -> body.completeExceptionally(failure)));
    }

    /**
     * Completes the read through a dispatch: a receiver that had to wait calls back as a root
     * handler, and Undertow ends an exchange whose root handler returns neither dispatched nor
     * resumed, before the plugin's decision (resumed on the IO thread) could take it on.
     */
    private static void settle(HttpServerExchange exchange, Runnable completion) {
        exchange.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, completion);
    }

    /**
     * Puts {@code body} where the body a plugin read was (or where none was: a GET turned into a
     * POST), so the upstream gets it instead: the held bytes are read out of the request channel,
     * the new ones take their place, and Content-Length follows.
     */
    static void replace(HttpServerExchange exchange, byte[] body) {
        if (exchange.getAttachment(KEY) == null && !exchange.isRequestComplete()) {
            throw new IllegalStateException("setBody needs the request body read whole first (readBody)");
        }
        StreamSourceChannel held = exchange.getRequestChannel();
        if (held != null) {
            ByteBuffer discard = ByteBuffer.allocate(8192);
            try {
                while (held.read(discard) > 0) {
                    discard.clear();
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        exchange.putAttachment(KEY, body);
        if (body.length > 0) {
            Connectors.ungetRequestBytes(exchange, new ImmediatePooledByteBuffer(ByteBuffer.wrap(body)));
        }
        Connectors.resetRequestChannel(exchange);
        exchange.getRequestHeaders().remove(io.undertow.util.Headers.TRANSFER_ENCODING);
        exchange.getRequestHeaders().put(io.undertow.util.Headers.CONTENT_LENGTH, body.length);
    }

    /** The body a plugin read whole, or null when none did. */
    static byte[] held(HttpServerExchange exchange) {
        return exchange.getAttachment(KEY);
    }
}
