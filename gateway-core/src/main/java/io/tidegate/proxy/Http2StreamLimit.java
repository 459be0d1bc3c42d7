package io.tidegate.proxy;

import io.undertow.protocols.http2.Http2Channel;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Enforces the HTTP/2 stream limit the gateway advertises ({@code SETTINGS_MAX_CONCURRENT_STREAMS},
 * {@code h2_max_concurrent_streams}): Undertow advertises it but lets a client that ignores it open
 * as many streams as it likes, each one a request to an upstream. A stream beyond the limit is
 * reset with REFUSED_STREAM (RFC 9113 5.1.2), which tells the client it was not processed.
 */
final class Http2StreamLimit implements HttpHandler {
    private static final AttachmentKey<AtomicInteger> OPEN = AttachmentKey.create(AtomicInteger.class);

    private final int max;
    private final HttpHandler next;

    Http2StreamLimit(int max, HttpHandler next) {
        this.max = max;
        this.next = next;
    }

    /** Streams of {@code channel} in progress. */
    static int openStreams(Http2Channel channel) {
        AtomicInteger open = channel.getAttachment(OPEN);
        return open == null ? 0 : open.get();
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Http2Channel channel = Http2Streams.channel(exchange);
        if (channel == null) {
            next.handleRequest(exchange);
            return;
        }
        AtomicInteger open = channel.getAttachment(OPEN);
        if (open == null) {
            open = new AtomicInteger();
            channel.putAttachment(OPEN, open);
        }
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            Http2Streams.reset(exchange, Http2Channel.ERROR_REFUSED_STREAM);
            exchange.endExchange();
            return;
        }
        AtomicInteger streams = open;
        exchange.addExchangeCompleteListener((ex, nextListener) -> {
            streams.decrementAndGet();
            nextListener.proceed();
        });
        next.handleRequest(exchange);
    }
}
