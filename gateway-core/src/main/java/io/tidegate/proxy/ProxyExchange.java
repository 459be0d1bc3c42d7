package io.tidegate.proxy;

import io.tidegate.config.RequestLimits;
import io.tidegate.config.Timeouts;
import io.tidegate.health.Outcome;
import io.tidegate.http.ExchangeClock;
import io.tidegate.http.ExchangeFacts;
import io.tidegate.http.Variables;
import io.tidegate.http1.RequestHeadWriter;
import io.tidegate.http1.ResponseBody;
import io.tidegate.http1.ResponseHead;
import io.tidegate.http1.UpstreamProtocolException;
import io.tidegate.upstream.CompiledUpstream;
import io.tidegate.upstream.UpstreamFailure;
import io.tidegate.upstream.UpstreamNodeTarget;
import io.tidegate.proxy.pool.ConnectionCallback;
import io.tidegate.proxy.pool.ConnectionPools;
import io.tidegate.proxy.pool.UpstreamConnection;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * One request on its way through the gateway to an upstream and back: the one object that knows
 * the route, the tries so far, the node and connection of the current try, and what went wrong.
 * It picks a node, takes a pooled connection (within {@code timeout.connect}), sends the request
 * ({@link RequestSender}), relays the response ({@link ResponseReceiver}), retries on another node
 * when that is safe, reports every try to passive health checks, and answers the client itself
 * when no response can be had (502, 504). Everything happens on the exchange's IO thread.
 *
 * <p>Retrying is safe when the failed try cannot have reached the node (it could not connect), or
 * when nothing of the client's body was consumed and the method is idempotent.
 */
final class ProxyExchange implements Closeable, RequestSender.Events, ResponseReceiver.Events, IoThreadSweep.Watched, NodeTry.Owner {
    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);
    /** The exchange's proxying (this, or a {@link MultiplexedProxyExchange}), so timeouts can abort it. */
    static final AttachmentKey<Closeable> KEY = AttachmentKey.create(Closeable.class);
    /** Run once the first node is chosen, before connecting (the before_proxy phase). */
    static final AttachmentKey<BeforeProxy> BEFORE_PROXY = AttachmentKey.create(BeforeProxy.class);
    private static final AttachmentKey<Boolean> CUT_SHORT = AttachmentKey.create(Boolean.class);
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    private static final IoThreadSweep<ProxyExchange> RESET_STREAMS = new IoThreadSweep<>(100);
    /** Retries on a fresh connection after pooled ones turned out closed by the node, beyond {@code retries}. */
    private static final int MAX_STALE_RETRIES = 2;

    /** The before_proxy phase of one exchange. */
    @FunctionalInterface
    interface BeforeProxy {
        /** False when a plugin answered the exchange: nothing is sent upstream. */
        boolean proceed(HttpServerExchange exchange);
    }

    private final HttpServerExchange exchange;
    private final CompiledUpstream upstream;
    private final Timeouts timeouts;
    private final RequestLimits limits;
    private final boolean upgrade;
    private CompiledUpstream.Attempts attempts;
    /** Plugins watching each try; null when none does. */
    private UpstreamTries tries;
    private RequestBodyPlan body;
    private Try current;
    private int node = -1;
    private long startedNanos;
    private UpstreamConnection connection;
    private RequestSender sender;
    private ResponseReceiver receiver;
    private IoThreadSweep<ProxyExchange>.Entry resetWatch;
    private int staleRetries;
    private boolean bodyTouched;
    private boolean requestSent;
    private boolean over;

    ProxyExchange(HttpServerExchange exchange, CompiledUpstream upstream, Timeouts timeouts, RequestLimits limits,
                  boolean upgrade) {
        this.exchange = exchange;
        this.upstream = upstream;
        this.timeouts = timeouts;
        this.limits = limits;
        this.upgrade = upgrade;
    }

    void start() {
        attempts = upstream.attempts(name -> Variables.resolve(name, exchange));
        ExchangeClock clock = ExchangeClock.of(exchange);
        if (clock != null) {
            clock.upstreamStarted(attempts.startNanos());
        }
        exchange.putAttachment(KEY, this);
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
        nextTry(true);
    }

    private void nextTry(boolean first) {
        node = upstream.pick(attempts);
        UpstreamNodeTarget target = upstream.node(node);
        exchange.putAttachment(ExchangeFacts.NODE_ADDRESS, target.address());
        if (first) {
            BeforeProxy beforeProxy = exchange.removeAttachment(BEFORE_PROXY);
            if (beforeProxy != null && !beforeProxy.proceed(exchange)) {
                over = true; // a plugin answered; the upstream never hears of this request
                return;
            }
            body = RequestBodyPlan.of(exchange);
            tries = UpstreamTries.of(exchange);
        }
        if (upstream.passNodeHost()) {
            io.tidegate.http.ClientRequestView.keep(exchange);  // $host stays the client's for the log
            exchange.getRequestHeaders().put(Headers.HOST, target.hostHeader());
        }
        if (tries != null) {
            tries.started(target);
        }
        RequestHeadWriter head;
        try {
            head = UpstreamRequestHead.write(exchange, target.hostHeader(), body, upgrade);
        } catch (RequestHeadWriter.InvalidRequestException e) {
            // the client's input was checked before routing, so a plugin put this there
            log.error("{} {}: not forwarded, the request would be malformed upstream: {}", exchange.getRequestMethod(),
                    exchange.getRequestPath(), e.getMessage());
            if (tries != null) {
                tries.refused();
            }
            refuse(500, "500 Internal Server Error");
            return;
        }
        long connectMillis = timeouts == null ? 0 : Math.max(1, Math.round(timeouts.connect() * 1000));
        current = new Try(node, target, head);
        current.start(connectMillis);
    }

    /** One connect attempt on the node's HTTP/1.1 pool. */
    private final class Try extends NodeTry implements ConnectionCallback {
        private final RequestHeadWriter head;

        Try(int node, UpstreamNodeTarget target, RequestHeadWriter head) {
            super(ProxyExchange.this.exchange, upstream.name(), node, target, ProxyExchange.this);
            this.head = head;
        }

        @Override
        protected ConnectionPools.Claim acquire() {
            // the proxy's own pools are what node selection carries
            return ((ConnectionPools.Pool) target.pool()).acquire(exchange.getIoThread(), this);
        }

        @Override
        public void connected(UpstreamConnection connection) {
            if (!settle() || over) {
                connection.release(true); // nothing was written on it
                return;
            }
            ProxyExchange.this.connected(this, connection);
        }
    }

    // ---- NodeTry.Owner: what a try needs of this exchange (this object, not one more per request)

    @Override
    public boolean over() {
        return over;
    }

    @Override
    public void notReached(int failedNode, UpstreamFailure failure, Outcome outcome) {
        connectFailed(failedNode, failure, outcome);
    }

    private void connectFailed(int failedNode, UpstreamFailure failure, Outcome outcome) {
        upstream.report(failedNode, outcome);
        mark(failure);
        if (upstream.mayRetry(attempts) && !timedOut()) {
            nextTry(false);
        } else {
            giveUp();
        }
    }

    private void connected(Try attempt, UpstreamConnection connection) {
        this.connection = connection;
        UpstreamFailures.clear(exchange);
        startedNanos = System.nanoTime();
        upstream.started(node);
        ByteBuffer head = attempt.head.finish(connection.lastAllowed() && !upgrade);
        requestSent = false;
        receiver = new ResponseReceiver(exchange, connection.source(), limits.upstreamMaxHeadSize(),
                limits.upstreamMaxHeaders(), this);
        sender = new RequestSender(exchange, connection.sink(), head, body, this);
        receiver.start();
        sender.start();
    }

    // ---- the request -------------------------------------------------------------------------

    @Override
    public void bodyStarted() {
        bodyTouched = true;
    }

    @Override
    public void requestSent() {
        requestSent = true;
    }

    @Override
    public void upstreamWriteFailed(IOException cause) {
        if (receiver != null && receiver.headDone()) {
            // the node answered early and stopped reading; its response stands
            return;
        }
        lost(cause, false);
    }

    @Override
    public void clientBodyFailed(IOException cause) {
        log.info("{} {}: the client's request body broke off ({}); the upstream request is aborted",
                exchange.getRequestMethod(), exchange.getRequestPath(), cause.getMessage());
        dropConnection();
        over = true;
        exchange.setPersistent(false);
        if (cause instanceof io.undertow.server.RequestTooBigException) {
            ErrorResponses.send(exchange, 413, "413 Request Entity Too Large");
        } else {
            ErrorResponses.send(exchange, 400, "400 Bad Request");
        }
    }

    // ---- the response ------------------------------------------------------------------------

    @Override
    public ResponseBody head(ResponseHead head, HeaderMap fields, ByteBuffer rest) throws UpstreamProtocolException {
        if (tries != null) {
            tries.answered(head.status());
        }
        if (head.status() == 101) {
            if (!upgrade) {
                throw new UpstreamProtocolException("upstream switched protocols unasked");
            }
            upstream.reportStatus(node, 101);
            switchProtocols(fields, rest);
            return null;
        }
        ResponseBody framing = ResponseBody.of(head, exchange.getRequestMethod().equalToString("HEAD"), fields);
        upstream.reportStatus(node, head.status());
        exchange.setStatusCode(head.status());
        UpstreamStatuses.add(exchange, head.status());
        // Undertow keeps a custom reason as an attachment (a map write per response): only when it differs
        if (!head.reason().isEmpty() && !head.reason().equals(StatusCodes.getReason(head.status()))) {
            exchange.setReasonPhrase(head.reason());
        }
        copy(fields, exchange.getResponseHeaders());
        return framing;
    }

    private void switchProtocols(HeaderMap fields, ByteBuffer rest) {
        if (tries != null) {
            tries.completed();  // the node switched: its try succeeded; the tunnel that follows is no try
        }
        ByteBuffer early = ByteBuffer.allocate(rest.remaining());
        early.put(rest).flip();
        UpstreamConnection tunnel = connection;
        connection = null;
        tunnel.detach();
        sender.stop();
        receiver.stop(); // before the tunnel starts: from here its listeners own the connection
        over = true;
        exchange.setStatusCode(101);
        copy(fields, exchange.getResponseHeaders());
        exchange.upgradeChannel((client, ex) -> UpgradeTunnel.start(client, tunnel, early, ex.getConnection().getByteBufferPool()));
        exchange.endExchange();
    }

    /** The upstream's fields, except those the gateway or a plugin already set for this response. */
    private static void copy(HeaderMap from, HeaderMap to) {
        for (HeaderValues values : from) {
            if (!to.contains(values.getHeaderName())) {
                to.putAll(values.getHeaderName(), values);
            }
        }
    }

    @Override
    public void headFailed(IOException cause, boolean answered) {
        if (cause instanceof UpstreamProtocolException) {
            log.warn("upstream {}: {} from {} ({} {}); answering 502", upstream.name(), cause.getMessage(),
                    exchange.getAttachment(ExchangeFacts.NODE_ADDRESS), exchange.getRequestMethod(), exchange.getRequestPath());
            upstream.report(node, Outcome.TCP_FAILURE);
            mark(UpstreamFailure.BROKEN);
            dropConnection();
            giveUp();
            return;
        }
        lost(cause, answered);
    }

    /** The connection broke before a response head: retried when that is safe, else 502. */
    private void lost(IOException cause, boolean answered) {
        if (over) {
            return;
        }
        boolean stale = connection != null && connection.reused() && !answered && staleRetries++ < MAX_STALE_RETRIES;
        upstream.report(node, Outcome.TCP_FAILURE);
        mark(UpstreamFailure.BROKEN);
        dropConnection();
        if (!answered && !bodyTouched && !timedOut() && IDEMPOTENT.contains(exchange.getRequestMethod().toString())
                && (stale || upstream.mayRetry(attempts))) {
            log.info("upstream {}: {} closed the connection before answering{} ({} {}); trying again", upstream.name(),
                    exchange.getAttachment(ExchangeFacts.NODE_ADDRESS), stale ? " (an idle connection it had dropped)" : "",
                    exchange.getRequestMethod(), exchange.getRequestPath());
            nextTry(false);
            return;
        }
        log.warn("upstream {}: the connection to {} broke before the response head ({} {}): {}", upstream.name(),
                exchange.getAttachment(ExchangeFacts.NODE_ADDRESS), exchange.getRequestMethod(), exchange.getRequestPath(),
                cause == null ? "closed" : cause.getMessage());
        giveUp();
    }

    @Override
    public void bodyDone(boolean reusable) {
        if (tries != null) {
            tries.completed();
        }
        if (connection != null) {
            UpstreamConnection done = connection;
            connection = null;
            done.release(reusable && requestSent);
        }
        if (sender != null && !requestSent) {
            sender.stop();
        }
        leaveResetWatch();
    }

    @Override
    public void bodyFailed(IOException cause) {
        log.warn("upstream {}: {} broke off its response body ({} {}): {}", upstream.name(),
                exchange.getAttachment(ExchangeFacts.NODE_ADDRESS), exchange.getRequestMethod(), exchange.getRequestPath(),
                cause.getMessage());
        if (tries != null) {
            tries.failed(UpstreamFailure.BROKEN);
        }
        abortBoth();
    }

    @Override
    public void clientFailed(IOException cause) {
        log.debug("{} {}: the client went away ({})", exchange.getRequestMethod(), exchange.getRequestPath(), cause.getMessage());
        abortBoth();
    }

    // ---- endings -------------------------------------------------------------------------------

    /** Whether the response was cut short (the client reset its stream), though the exchange ends normally. */
    static boolean wasCutShort(HttpServerExchange exchange) {
        return exchange.getAttachment(CUT_SHORT) != null;
    }

    /** Both sides are cut: the upstream connection closes, and the client sees its response cut short. */
    private void abortBoth() {
        exchange.putAttachment(CUT_SHORT, Boolean.TRUE);
        over = true;
        dropConnection();
        IoUtils.safeClose(exchange.getConnection());
    }

    /** No response could be had: see {@link UpstreamFailures#answer}. */
    private void giveUp() {
        if (over || timedOut()) {
            return;
        }
        over = true;
        dropConnection();
        UpstreamFailures.answer(exchange);
    }

    private void refuse(int status, String message) {
        over = true;
        dropConnection();
        ErrorResponses.send(exchange, status, message);
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

    /** Closes the current upstream connection (if any) mid-request, and stops both directions. */
    private void dropConnection() {
        if (sender != null) {
            sender.stop();
        }
        if (receiver != null) {
            receiver.stop();
        }
        if (current != null) {
            current.abandon();
        }
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /**
     * Aborts the upstream side: the read timeout passed (the caller answers 504) or the response
     * body stalled. Nothing more is sent or read.
     */
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
        dropConnection();
        leaveResetWatch();
    }

    private void exchangeOver() {
        if (node >= 0 && startedNanos != 0) {
            upstream.finished(node, System.nanoTime() - startedNanos);
        }
        if (tries != null) {
            tries.exchangeOver();
        }
        if (connection != null || !over) {
            // the client side ended first (it went away, or another part answered): the upstream side goes too
            over = true;
            dropConnection();
        }
        leaveResetWatch();
    }

    /** The sweep's question: did the client reset this HTTP/2 stream? Then the upstream request is cancelled. */
    @Override
    public boolean check(long now) {
        if (over && connection == null) {
            resetWatch = null;
            return true;
        }
        if (!Http2Streams.isReset(exchange)) {
            return false;
        }
        log.debug("{} {}: the client reset its stream; cancelling the upstream request", exchange.getRequestMethod(),
                exchange.getRequestPath());
        resetWatch = null;
        abortBoth();
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
