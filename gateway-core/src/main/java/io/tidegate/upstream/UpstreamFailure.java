package io.tidegate.upstream;

/** Why the gateway could not get a response from the upstream; decides the status the client sees. */
public enum UpstreamFailure {
    /** No node could be connected to, after all retries: 502. */
    CONNECT_FAILED,
    /** The last try could not connect within {@code timeout.connect}: 504, as nginx. */
    CONNECT_TIMED_OUT,
    /** The upstream did not answer within the read timeout: 504. */
    TIMED_OUT,
    /** The connection to the node broke after it was made, before a response head arrived: 502. */
    BROKEN
}
