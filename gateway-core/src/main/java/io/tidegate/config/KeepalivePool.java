package io.tidegate.config;

/** Upstream connection pool limits: connections kept, idle time before closing, requests per connection. */
public record KeepalivePool(int size, double idleTimeout, int requests) {
    public static final KeepalivePool DEFAULT = new KeepalivePool(320, 60, 1000);
}
