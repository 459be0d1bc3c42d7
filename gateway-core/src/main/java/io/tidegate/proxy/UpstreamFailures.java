package io.tidegate.proxy;

import io.tidegate.upstream.UpstreamFailure;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;

/**
 * Why an exchange got no response from its upstream, kept on the exchange where both proxy paths
 * ({@link ProxyExchange}, {@link MultiplexedProxyExchange}), the read timeout and the error page
 * read it. A timeout, once marked, stays: the proxy stops retrying and the 504 already sent stands.
 */
final class UpstreamFailures {
    /** Read and written through the methods below; the error page alone sets it raw (its 502 adds no upstream status). */
    static final AttachmentKey<UpstreamFailure> KEY = AttachmentKey.create(UpstreamFailure.class);

    private UpstreamFailures() {}

    static UpstreamFailure of(HttpServerExchange exchange) {
        return exchange.getAttachment(KEY);
    }

    static boolean timedOut(HttpServerExchange exchange) {
        return exchange.getAttachment(KEY) == UpstreamFailure.TIMED_OUT;
    }

    /** Records a try's failure (and its status for X-APISIX-Upstream-Status), unless the read timeout already passed. */
    static void mark(HttpServerExchange exchange, UpstreamFailure failure) {
        if (!timedOut(exchange)) {
            exchange.putAttachment(KEY, failure);
            UpstreamStatuses.failed(exchange, failure);
        }
    }

    /** A try reached its node: what earlier tries met no longer decides the answer. */
    static void clear(HttpServerExchange exchange) {
        exchange.removeAttachment(KEY);
    }

    /**
     * Answers an exchange no try could serve: 504 when the last try timed out connecting (as nginx),
     * else 502; nothing when the read timeout passed, whose 504 is already sent.
     */
    static void answer(HttpServerExchange exchange) {
        UpstreamFailure failure = exchange.getAttachment(KEY);
        if (failure == UpstreamFailure.TIMED_OUT) {
            return;
        }
        if (failure == UpstreamFailure.CONNECT_TIMED_OUT) {
            ErrorResponses.send(exchange, 504, "504 Gateway Timeout");
        } else {
            ErrorResponses.send(exchange, 502, "502 Bad Gateway");
        }
    }
}
