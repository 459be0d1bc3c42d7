package io.tidegate.http;

import io.undertow.util.AttachmentKey;

/**
 * What the gateway learns about an exchange as it goes, kept on the exchange for logs, metrics
 * and variables: which route and service served it, when it started, which node answered, and
 * when the upstream was first tried and its response head arrived.
 */
public final class ExchangeFacts {
    public static final AttachmentKey<String> ROUTE_ID = AttachmentKey.create(String.class);
    public static final AttachmentKey<String> SERVICE_ID = AttachmentKey.create(String.class);
    /** The authenticated consumer's name. */
    public static final AttachmentKey<String> CONSUMER = AttachmentKey.create(String.class);
    /** {@code host:port} of the node of the current (last) try. */
    public static final AttachmentKey<String> NODE_ADDRESS = AttachmentKey.create(String.class);
    /** System.nanoTime() when the gateway took the request. */
    public static final AttachmentKey<Long> START_NANOS = AttachmentKey.create(Long.class);
    /** System.currentTimeMillis() when the gateway took the request. */
    public static final AttachmentKey<Long> START_MILLIS = AttachmentKey.create(Long.class);
    /** System.nanoTime() when the first connect attempt started. */
    public static final AttachmentKey<Long> UPSTREAM_START_NANOS = AttachmentKey.create(Long.class);
    /** System.nanoTime() when the upstream's response head was passed on. */
    public static final AttachmentKey<Long> UPSTREAM_HEAD_NANOS = AttachmentKey.create(Long.class);

    private ExchangeFacts() {}
}
