package io.tidegate.plugin.api;

/**
 * One try of a request at one upstream node, as an {@link UpstreamTryWatcher} sees it: the first,
 * or a retry after a node could not be reached or broke off. Valid only during the watcher's call.
 */
public interface UpstreamTry {
    /** 1 for the first try, 2 for the first retry, and so on. */
    int number();

    /** The node's address as configured ({@code host:port}; a name is followed by the address it resolved to). */
    String nodeAddress();

    /** The address connected to: an IP literal (a configured name resolved), without brackets. */
    String nodeIp();

    int nodePort();

    /** The upstream's scheme: {@code http}, {@code https}, {@code grpc} or {@code grpcs}. */
    String scheme();

    /** The method sent upstream. */
    String method();

    /**
     * Sets a header of the request sent to this node (in {@link UpstreamTryWatcher#started} only):
     * it replaces the field of that name, and stays for a later try unless set again then.
     */
    void setHeader(String name, String value);

    /** The node's response status once it answered; 0 when it did not (see {@link #failure}). */
    int status();

    /**
     * Why the try got no complete response, in {@link UpstreamTryWatcher#ended}; null when it had one:
     * {@code connect_failed}, {@code connect_timed_out}, {@code timed_out} (no answer within the read
     * timeout, or its response body stalled that long), {@code broken} (the connection or stream
     * broke), {@code refused} (never sent: a plugin had made the request malformed) or
     * {@code aborted} (the client went away, or the exchange ended first).
     */
    String failure();
}
