package io.tidegate.proxy;

import io.undertow.server.HttpServerExchange;

/**
 * How the client's request body goes upstream, decided once: none, with its declared length, or
 * chunked when the length is not known in advance (an HTTP/1.1 chunked upload, an HTTP/2 request
 * without content-length). The gateway re-frames every body itself, so the upstream only ever sees
 * a framing the gateway can vouch for.
 *
 * @param length the declared length for {@link Kind#LENGTH}, else -1
 */
record RequestBodyPlan(Kind kind, long length) {
    enum Kind { NONE, LENGTH, CHUNKED }

    static final RequestBodyPlan NONE = new RequestBodyPlan(Kind.NONE, -1);
    static final RequestBodyPlan CHUNKED = new RequestBodyPlan(Kind.CHUNKED, -1);

    static RequestBodyPlan of(HttpServerExchange exchange) {
        long declared = exchange.getRequestContentLength();
        if (declared >= 0) {
            return new RequestBodyPlan(Kind.LENGTH, declared);
        }
        return exchange.isRequestComplete() ? NONE : CHUNKED;
    }

    boolean hasBody() {
        return kind == Kind.CHUNKED || kind == Kind.LENGTH && length > 0;
    }
}
