package io.tidegate.proxy;

import io.tidegate.config.Timeouts;
import io.tidegate.health.Outcome;
import io.tidegate.http.ExchangeClock;
import io.tidegate.http.ExchangeFacts;
import io.tidegate.http.Variables;
import io.tidegate.proxy.pool.ConnectionPools;
import io.tidegate.proxy.pool.MultiplexedPool;
import io.tidegate.upstream.CompiledUpstream;
import io.tidegate.upstream.UpstreamFailure;
import io.tidegate.upstream.UpstreamNodeTarget;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.protocols.http2.Http2Channel;
import io.undertow.protocols.http2.Http2StreamSinkChannel;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpAttachments;
import io.undertow.server.protocol.http.HttpContinue;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.WorkerUtils;
import java.io.Closeable;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;

/**
 * One request proxied over an HTTP/2 stream to a {@code grpc} or {@code grpcs} upstream: the
 * counterpart of {@link ProxyExchange} for multiplexed connections. Both bodies stream as they
 * come, each message flushed on its own ({@link StreamPump}), so unary, client, server and bidi
 * streaming calls pass alike; trailers go both ways; {@code grpc-timeout} bounds the whole call.
 *
 * <p>A try is retried on another node (within {@code retries}) only while nothing of the request
 * reached a node: its connection could not be made, or the stream could not be opened on it. Once
 * the request's HEADERS left, the call is the node's: a failure before the response head answers
 * 502 (UNAVAILABLE to a gRPC client), a failure after it resets the client's stream. Everything
 * runs on the exchange's IO thread, which owns the upstream connection too.
 */
final class MultiplexedProxyExchange implements Closeable, IoThreadSweep.Watched, NodeTry.Owner {
    private static final Logger log = LoggerFactory.getLogger(MultiplexedProxyExchange.class);
    private static final IoThreadSweep<MultiplexedProxyExchange> RESET_STREAMS = new IoThreadSweep<>(100);
    /** Undertow's message id when a connection's streams are all taken (UndertowMessages.streamLimitExceeded). */
    private static final String STREAM_LIMIT_EXCEEDED = "UT000184";
    /** Not forwarded: connection-level in HTTP/1.1 or HTTP/2, or framing the client side re-does. */
    private static final Set<HttpString> NOT_FORWARDED = Set.of(Headers.CONNECTION, Headers.KEEP_ALIVE,
            new HttpString("Proxy-Connection"), Headers.TE, Headers.TRAILER, Headers.UPGRADE, new HttpString("HTTP2-Settings"),
            Headers.TRANSFER_ENCODING, Headers.CONTENT_LENGTH, Headers.EXPECT);

    private final HttpServerExchange exchange;
    private final CompiledUpstream upstream;
    private final Timeouts timeouts;
    private CompiledUpstream.Attempts attempts;
    /** Plugins watching each try; null when none does. */
    private UpstreamTries tries;
    private RequestBodyPlan body;
    private int node = -1;
    private Try current;
    private MultiplexedPool.Lease lease;
    private ClientExchange stream;
    private StreamPump requestPump;
    private StreamPump responsePump;
    private org.xnio.channels.StreamSinkChannel clientSink;
    private XnioExecutor.Key deadline;
    private IoThreadSweep<MultiplexedProxyExchange>.Entry resetWatch;
    private HeaderMap gatewayTrailers;
    private long startedNanos;
    private boolean responded;
    private boolean upstreamDone;
    private boolean requestEnded;
    private boolean over;

    MultiplexedProxyExchange(HttpServerExchange exchange, CompiledUpstream upstream, Timeouts timeouts) {
        this.exchange = exchange;
        this.upstream = upstream;
        this.timeouts = timeouts;
    }

    void start() {
        attempts = upstream.attempts(name -> Variables.resolve(name, exchange));
        ExchangeClock clock = ExchangeClock.of(exchange);
        if (clock != null) {
            clock.upstreamStarted(attempts.startNanos());
        }
        exchange.putAttachment(ProxyExchange.KEY, this);
        exchange.addExchangeCompleteListener((ex, next) -> {
            try {
                exchangeOver();
            } finally {
                next.proceed();
            }
        });
        if (Http2Streams.channel(exchange) != null) {
            resetWatch = RESET_STREAMS.join(exchange.getIoThread(), this);
        }
        long grpcTimeout = GrpcTimeout.millis(exchange.getRequestHeaders().getFirst(GrpcTimeout.HEADER));
        if (grpcTimeout >= 0) {
            deadline = WorkerUtils.executeAfter(exchange.getIoThread(), this::deadlineExceeded, Math.max(1, grpcTimeout),
                    TimeUnit.MILLISECONDS);
        }
        nextTry(true);
    }

    private void nextTry(boolean first) {
        node = upstream.pick(attempts);
        UpstreamNodeTarget target = upstream.node(node);
        exchange.putAttachment(ExchangeFacts.NODE_ADDRESS, target.address());
        if (first) {
            ProxyExchange.BeforeProxy beforeProxy = exchange.removeAttachment(ProxyExchange.BEFORE_PROXY);
            if (beforeProxy != null && !beforeProxy.proceed(exchange)) {
                finish();  // a plugin answered; the upstream never hears of this request
                return;
            }
            body = RequestBodyPlan.of(exchange);
            tries = UpstreamTries.of(exchange);
        }
        if (upstream.passNodeHost()) {
            io.tidegate.http.ClientRequestView.keep(exchange);
            exchange.getRequestHeaders().put(Headers.HOST, target.hostHeader());
        }
        if (tries != null) {
            tries.started(target);
        }
        long connectMillis = timeouts == null ? 0 : Math.max(1, Math.round(timeouts.connect() * 1000));
        current = new Try(node, target);
        current.start(connectMillis);
    }

    /** Waiting for a stream on a connection to one node. */
    private final class Try extends NodeTry implements MultiplexedPool.StreamCallback {
        Try(int node, UpstreamNodeTarget target) {
            super(MultiplexedProxyExchange.this.exchange, upstream.name(), node, target, MultiplexedProxyExchange.this);
        }

        @Override
        protected ConnectionPools.Claim acquire() {
            return ((MultiplexedPool) target.pool()).acquire(exchange.getIoThread(), exchange.getConnection().getByteBufferPool(), this);
        }

        @Override
        public void ready(MultiplexedPool.Lease lease) {
            if (settled() || over) {
                lease.release();
                return;
            }
            send(this, lease);
        }
    }

    // ---- NodeTry.Owner: what a try needs of this exchange (this object, not one more per request)

    @Override
    public boolean over() {
        return over;
    }

    @Override
    public void notReached(int failedNode, UpstreamFailure failure, Outcome outcome) {
        notSent(failedNode, failure, outcome);
    }

    /** The try reached no node: another node, while retries allow, else 502 (504 for a connect timeout). */
    private void notSent(int failedNode, UpstreamFailure failure, Outcome outcome) {
        upstream.report(failedNode, outcome);
        mark(failure);
        if (upstream.mayRetry(attempts) && !timedOut()) {
            nextTry(false);
        } else {
            giveUp();
        }
    }

    // ---- the request -------------------------------------------------------------------------

    private void send(Try attempt, MultiplexedPool.Lease taken) {
        ClientRequest request = request();
        taken.connection().sendRequest(request, new ClientCallback<>() {
            @Override
            public void completed(ClientExchange opened) {
                attempt.settle();
                lease = taken;
                stream = opened;
                UpstreamFailures.clear(exchange);
                startedNanos = System.nanoTime();
                upstream.started(node);
                opened.setResponseListener(new ClientCallback<>() {
                    @Override
                    public void completed(ClientExchange answered) {
                        head(answered.getResponse());
                    }

                    @Override
                    public void failed(IOException cause) {
                        lost(cause);
                    }
                });
                // the client's trailers are known only once its body ended, when the upstream stream closes
                opened.putAttachment(HttpAttachments.RESPONSE_TRAILER_SUPPLIER, () -> exchange.getAttachment(HttpAttachments.REQUEST_TRAILERS));
                if (body.hasBody()) {
                    sendBody(opened);
                }
            }

            @Override
            public void failed(IOException cause) {
                if (String.valueOf(cause.getMessage()).startsWith(STREAM_LIMIT_EXCEEDED)) {
                    // the node's stream limit: another connection, within the same connect timer
                    taken.full();
                    attempt.ask();
                    return;
                }
                taken.release();
                attempt.failed(cause);
            }
        });
    }

    private ClientRequest request() {
        ClientRequest request = new ClientRequest().setMethod(exchange.getRequestMethod()).setPath(UpstreamRequestHead.target(exchange));
        HeaderMap to = request.getRequestHeaders();
        for (HeaderValues values : exchange.getRequestHeaders()) {
            HttpString name = values.getHeaderName();
            if (!NOT_FORWARDED.contains(name) && !ForwardedHeaders.writtenApart(name) && !(name.length() > 0 && name.byteAt(0) == ':')) {
                to.putAll(name, values);
            }
        }
        ForwardedHeaders.writeClient(exchange, to::add);
        // HTTP/2 allows TE only as "trailers", which gRPC servers ask for
        to.put(Headers.TE, "trailers");
        switch (body.kind()) {
            case LENGTH -> to.put(Headers.CONTENT_LENGTH, body.length());
            // Undertow's client reads a body's presence from the framing headers, then drops this one
            case CHUNKED -> to.put(Headers.TRANSFER_ENCODING, Headers.CHUNKED.toString());
            default -> { }
        }
        return request;
    }

    private void sendBody(ClientExchange opened) {
        requestPump = new StreamPump(exchange.getRequestChannel(), opened.getRequestChannel(),
                exchange.getConnection().getByteBufferPool(), new StreamPump.Events() {
            @Override
            public void ended() {
                requestEnded = true;  // the read timeout (ResponseTimeout) counts from here, as for HTTP/1.1
            }

            @Override
            public void sourceFailed(IOException cause) {
                clientBodyFailed(cause);
            }

            @Override
            public void sinkFailed(IOException cause) {
                if (!responded) {
                    lost(cause);
                } // else the node answered and stopped reading: its response stands
            }
        });
        if (HttpContinue.requiresContinueResponse(exchange)) {
            HttpContinue.sendContinueResponse(exchange, new IoCallback() {
                @Override
                public void onComplete(HttpServerExchange ex, Sender sender) {
                    requestPump.start();
                }

                @Override
                public void onException(HttpServerExchange ex, Sender sender, IOException e) {
                    clientBodyFailed(e);
                }
            });
        } else {
            requestPump.start();
        }
    }

    private void clientBodyFailed(IOException cause) {
        log.info("{} {}: the client's request body broke off ({}); the upstream stream is cancelled",
                exchange.getRequestMethod(), exchange.getRequestPath(), cause.getMessage());
        cancelUpstream();
        if (!responded) {
            over = true;
            exchange.setPersistent(false);
            ErrorResponses.send(exchange, cause instanceof io.undertow.server.RequestTooBigException ? 413 : 400,
                    cause instanceof io.undertow.server.RequestTooBigException ? "413 Request Entity Too Large" : "400 Bad Request");
        } else {
            resetClient(Http2Channel.ERROR_CANCEL);
        }
    }

    // ---- the response ------------------------------------------------------------------------

    private void head(ClientResponse response) {
        if (over) {
            return;
        }
        responded = true;
        int status = response.getResponseCode();
        if (tries != null) {
            tries.answered(status);
        }
        upstream.reportStatus(node, status);
        UpstreamStatuses.add(exchange, status);
        exchange.setStatusCode(status);
        HeaderMap to = exchange.getResponseHeaders();
        for (HeaderValues values : response.getResponseHeaders()) {
            HttpString name = values.getHeaderName();
            if (!(name.length() > 0 && name.byteAt(0) == ':') && !to.contains(name)) {
                to.putAll(name, values);
            }
        }
        exchange.putAttachment(HttpAttachments.RESPONSE_TRAILER_SUPPLIER, this::trailers);
        clientSink = exchange.getResponseChannel();
        responsePump = new StreamPump(stream.getResponseChannel(), clientSink,
                exchange.getConnection().getByteBufferPool(), new StreamPump.Events() {
            @Override
            public void sourceEnded() {
                if (requestPump != null && !requestEnded) {
                    // the node answered before the request ended (RFC 9113 8.1): the rest is not sent,
                    // and the stream is reset so that neither side keeps it open
                    requestPump.stop();
                    resetUpstream(Http2Channel.ERROR_CANCEL);
                }
                // the upstream stream is over: the client's response ending must not cancel it
                upstreamDone = true;
                if (tries != null) {
                    tries.completed();
                }
                releaseLease();
            }

            @Override
            public void ended() {
                finish();
                exchange.endExchange();
            }

            @Override
            public void sourceFailed(IOException cause) {
                log.warn("upstream {}: {} broke off its response ({} {}): {}", upstream.name(),
                        exchange.getAttachment(ExchangeFacts.NODE_ADDRESS), exchange.getRequestMethod(), exchange.getRequestPath(),
                        cause.getMessage());
                upstream.report(node, Outcome.TCP_FAILURE);
                if (tries != null) {
                    tries.failed(UpstreamFailure.BROKEN);
                }
                cancelUpstream();
                resetClient(Http2Channel.ERROR_INTERNAL_ERROR);
            }

            @Override
            public void sinkFailed(IOException cause) {
                log.debug("{} {}: the client went away ({})", exchange.getRequestMethod(), exchange.getRequestPath(), cause.getMessage());
                cancelUpstream();
                resetClient(Http2Channel.ERROR_CANCEL);
            }
        });
        responsePump.start();
    }

    /** The trailers the client gets: the gateway's own when it ended the call, else the upstream's. */
    private HeaderMap trailers() {
        if (gatewayTrailers != null) {
            return gatewayTrailers;
        }
        // Undertow's client files the response's trailers under the request key
        HeaderMap received = stream == null ? null : stream.getAttachment(HttpAttachments.REQUEST_TRAILERS);
        if (received == null) {
            return null;
        }
        HeaderMap forwarded = new HeaderMap();
        for (HeaderValues values : received) {
            if (!(values.getHeaderName().length() > 0 && values.getHeaderName().byteAt(0) == ':')) {
                forwarded.putAll(values.getHeaderName(), values);
            }
        }
        return forwarded;
    }

    /** The stream broke before its response head: 502, never retried (the node may have acted on it). */
    private void lost(IOException cause) {
        if (over || responded) {
            return;
        }
        log.warn("upstream {}: the stream to {} broke before the response head ({} {}): {}", upstream.name(),
                exchange.getAttachment(ExchangeFacts.NODE_ADDRESS), exchange.getRequestMethod(), exchange.getRequestPath(),
                cause == null ? "closed" : cause.getMessage() == null ? cause.toString() : cause.getMessage());
        upstream.report(node, Outcome.TCP_FAILURE);
        mark(UpstreamFailure.BROKEN);
        cancelUpstream();
        giveUp();
    }

    // ---- endings -------------------------------------------------------------------------------

    /**
     * {@code grpc-timeout} passed. Before the response head the client gets DEADLINE_EXCEEDED as
     * a gateway answer; after it, the upstream stream is cancelled and the response ends with that
     * status in its trailers, as a gRPC server ends a call past its deadline.
     */
    private void deadlineExceeded() {
        deadline = null;
        if (over || exchange.isComplete()) {
            return;
        }
        log.info("{} {}: grpc-timeout {} passed; the call ends with DEADLINE_EXCEEDED", exchange.getRequestMethod(),
                exchange.getRequestPath(), exchange.getRequestHeaders().getFirst(GrpcTimeout.HEADER));
        mark(UpstreamFailure.TIMED_OUT);
        if (!responded) {
            over = true;
            dropUpstream();
            if (GrpcStatusAnswer.wanted(exchange)) {
                GrpcStatusAnswer.send(exchange, GrpcStatusAnswer.DEADLINE_EXCEEDED, "Deadline Exceeded");
            } else {
                ErrorResponses.send(exchange, 504, "504 Gateway Timeout");  // an HTTP client that sent grpc-timeout
            }
            return;
        }
        dropUpstream();
        gatewayTrailers = GrpcStatusAnswer.trailers(GrpcStatusAnswer.DEADLINE_EXCEEDED, "Deadline Exceeded");
        over = true;
        GrpcStatusAnswer.endResponse(exchange, clientSink);
    }

    /** No response could be had: see {@link UpstreamFailures#answer}. */
    private void giveUp() {
        if (over || timedOut()) {
            return;
        }
        over = true;
        dropUpstream();
        UpstreamFailures.answer(exchange);
    }

    private boolean timedOut() {
        return UpstreamFailures.timedOut(exchange);
    }

    /** What went wrong with the current try: decides the client's answer, and ends the try for its watchers. */
    private void mark(UpstreamFailure failure) {
        UpstreamFailures.mark(exchange, failure);
        if (tries != null) {
            tries.failed(failure);
        }
    }

    /** Resets the client's stream (HTTP/2), or closes its connection (HTTP/1.1): the response is cut short. */
    private void resetClient(int errorCode) {
        over = true;
        if (!Http2Streams.reset(exchange, errorCode)) {
            IoUtils.safeClose(exchange.getConnection());
        } else {
            exchange.endExchange();
        }
    }

    /** Cancels the upstream stream unless it ended, and gives its connection back. */
    private void cancelUpstream() {
        if (stream != null && !upstreamDone) {
            upstreamDone = true;
            resetUpstream(Http2Channel.ERROR_CANCEL);
            IoUtils.safeClose(stream.getResponseChannel());
        }
        releaseLease();
    }

    private void resetUpstream(int errorCode) {
        if (stream.getRequestChannel() instanceof Http2StreamSinkChannel sink) {
            sink.getChannel().sendRstStream(sink.getStreamId(), errorCode);
        }
        IoUtils.safeClose(stream.getRequestChannel());
    }

    private void dropUpstream() {
        if (requestPump != null) {
            requestPump.stop();
        }
        if (responsePump != null) {
            responsePump.stop();
        }
        if (current != null) {
            current.abandon();
        }
        cancelUpstream();
    }

    private void releaseLease() {
        if (lease != null) {
            lease.release();
            lease = null;
        }
    }

    private void finish() {
        over = true;
        if (deadline != null) {
            deadline.remove();
            deadline = null;
        }
        leaveResetWatch();
    }

    /** The read timeout passed (the caller answers 504) or the response stalled: the upstream side is dropped. */
    @Override
    public void close() {
        if (timedOut() && node >= 0 && !over) {
            upstream.report(node, Outcome.TIMEOUT);
        }
        if (tries != null) {
            // both callers are timeouts: no response head in time, or a response body that stalled
            tries.failed(UpstreamFailure.TIMED_OUT);
        }
        over = true;
        dropUpstream();
        finish();
    }

    private void exchangeOver() {
        if (node >= 0 && startedNanos != 0) {
            upstream.finished(node, System.nanoTime() - startedNanos);
        }
        if (tries != null) {
            tries.exchangeOver();
        }
        if (!upstreamDone || lease != null) {
            over = true;
            dropUpstream();
        }
        finish();
    }

    /** The sweep's question: did the client reset this HTTP/2 stream? Then the upstream stream is cancelled. */
    @Override
    public boolean check(long now) {
        if (over && lease == null) {
            resetWatch = null;
            return true;
        }
        if (!Http2Streams.isReset(exchange)) {
            return false;
        }
        log.debug("{} {}: the client reset its stream; cancelling the upstream stream", exchange.getRequestMethod(),
                exchange.getRequestPath());
        resetWatch = null;
        over = true;
        dropUpstream();
        exchange.endExchange();
        return true;
    }

    private void leaveResetWatch() {
        if (resetWatch != null) {
            resetWatch.leave();
            resetWatch = null;
        }
    }
}
