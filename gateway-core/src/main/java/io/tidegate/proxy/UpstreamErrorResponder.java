package io.tidegate.proxy;

import io.tidegate.upstream.UpstreamFailure;
import io.undertow.server.DefaultResponseListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.StatusCodes;

/**
 * Gives a JSON body to an exchange the proxy ended without a response: 502 when no node could be
 * reached (Undertow's proxy says 503 for that; nginx and APISIX say 502), 504 when the upstream did
 * not answer in time (or, as nginx, when the last try could not even connect in time).
 */
final class UpstreamErrorResponder implements DefaultResponseListener {
    static final UpstreamErrorResponder INSTANCE = new UpstreamErrorResponder();

    @Override
    public boolean handleDefaultResponse(HttpServerExchange exchange) {
        if (exchange.isResponseStarted()) {
            return false;
        }
        UpstreamFailure failure = UpstreamFailures.of(exchange);
        int status = exchange.getStatusCode();
        if (failure == UpstreamFailure.TIMED_OUT || failure == UpstreamFailure.CONNECT_TIMED_OUT
                || status == StatusCodes.GATEWAY_TIME_OUT) {
            ErrorResponses.send(exchange, 504, "504 Gateway Timeout");
        } else if (failure != null || status == StatusCodes.SERVICE_UNAVAILABLE || status == StatusCodes.BAD_GATEWAY) {
            if (failure == null) {
                // connected, then lost the node before its response head; passive checks count this
                exchange.putAttachment(UpstreamFailures.KEY, UpstreamFailure.BROKEN);
            }
            ErrorResponses.send(exchange, 502, "502 Bad Gateway");
        } else if (status >= 400) {
            ErrorResponses.send(exchange, status, status + " " + StatusCodes.getReason(status));
        } else {
            return false;
        }
        return true;
    }
}
