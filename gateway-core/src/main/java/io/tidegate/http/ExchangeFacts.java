package io.tidegate.http;

import io.undertow.util.AttachmentKey;

/**
 * What the gateway learns about an exchange as it goes, kept on the exchange for logs, metrics
 * and variables: which route and service served it, who the consumer is and which node answered
 * (its times are on the {@link ExchangeClock}).
 */
public final class ExchangeFacts {
    public static final AttachmentKey<String> ROUTE_ID = AttachmentKey.create(String.class);
    public static final AttachmentKey<String> SERVICE_ID = AttachmentKey.create(String.class);
    /** The authenticated consumer's name. */
    public static final AttachmentKey<String> CONSUMER = AttachmentKey.create(String.class);
    /**
     * The matched route's uri and host patterns (APISIX's {@code matched_uri}, {@code matched_host});
     * put only where they are read: for the exporter publishing APISIX's names, and on routes with
     * plugins ({@code $matched_uri}).
     */
    public static final AttachmentKey<io.tidegate.route.RoutePattern> MATCHED = AttachmentKey.create(io.tidegate.route.RoutePattern.class);
    /** {@code host:port} of the node of the current (last) try. */
    public static final AttachmentKey<String> NODE_ADDRESS = AttachmentKey.create(String.class);

    private ExchangeFacts() {}
}
