package io.tidegate.proxy;

import io.tidegate.upstream.UpstreamFailure;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HttpString;

/**
 * nginx's {@code $upstream_status} for one exchange: the status of each try, a failed one as 502
 * (504 when it timed out), comma-separated. As APISIX does, the response carries it in
 * {@code X-APISIX-Upstream-Status} when the last try ended in 5xx, so an operator can tell an
 * upstream's 500 from the gateway's 502 and see the retries behind it.
 */
final class UpstreamStatuses {
    static final HttpString HEADER = new HttpString("X-APISIX-Upstream-Status");
    private static final AttachmentKey<StringBuilder> KEY = AttachmentKey.create(StringBuilder.class);

    private UpstreamStatuses() {
    }

    static void failed(HttpServerExchange exchange, UpstreamFailure failure) {
        add(exchange, failure == UpstreamFailure.TIMED_OUT || failure == UpstreamFailure.CONNECT_TIMED_OUT ? 504 : 502);
    }

    /** Records a try's status; the header is set when it is 5xx (a later try's 2xx leaves none). */
    static void add(HttpServerExchange exchange, int status) {
        io.tidegate.http.ExchangeClock clock = io.tidegate.http.ExchangeClock.of(exchange);
        if (clock != null) {
            clock.upstreamAnswered(status);  // $upstream_status
        }
        StringBuilder statuses = exchange.getAttachment(KEY);
        if (statuses == null && status < 500) {
            return;  // the usual case, a first try that answered: nothing to tell, nothing allocated
        }
        if (statuses == null) {
            statuses = new StringBuilder(3);
            exchange.putAttachment(KEY, statuses);
        } else {
            statuses.append(", ");
        }
        statuses.append(status);
        if (status >= 500 && status <= 599) {
            exchange.getResponseHeaders().put(HEADER, statuses.toString());
        } else {
            exchange.getResponseHeaders().remove(HEADER);
        }
    }
}
