package io.tidegate.config;

/**
 * {@code tidegate.limits}: what a client may send and how slowly, and what an upstream may answer.
 * Sizes in bytes, times in seconds.
 *
 * @param maxUriLength            longest request target (path and query): 414 beyond
 * @param maxHeaderSize           all header names and values together: 431 beyond
 * @param maxHeaders              header lines: 431 beyond
 * @param headerTimeout           time to send the request head (slowloris): the connection is closed
 * @param bodyTimeout             time without a byte while a body is being read: the connection is closed
 * @param keepaliveTimeout        idle time between requests on a connection before it is closed
 * @param maxConnections          client connections open at once (0 = no limit); at the limit, the
 *                                connection that has waited longest without a request in progress
 *                                is closed to make room, else the new one is refused
 * @param maxConnectionsPerClient client connections open at once from one address (0 = no limit)
 * @param h2MaxConcurrentStreams  HTTP/2 streams a client may have open on one connection
 * @param escapedSlashes          what an encoded slash or backslash ({@code %2F}, {@code %5C}) in a path means
 * @param upstreamMaxConnections  connections open to one upstream node at once; more requests wait
 *                                for one, within their connect timeout
 * @param upstreamMaxHeadSize     largest upstream response head: 502 beyond
 * @param upstreamMaxHeaders      most upstream response header lines: 502 beyond
 */
public record RequestLimits(int maxUriLength, int maxHeaderSize, int maxHeaders, double headerTimeout,
                            double bodyTimeout, double keepaliveTimeout, int maxConnections,
                            int maxConnectionsPerClient, int h2MaxConcurrentStreams, EscapedSlashes escapedSlashes,
                            int upstreamMaxConnections, int upstreamMaxHeadSize, int upstreamMaxHeaders) {
    public static final RequestLimits DEFAULT = new RequestLimits(8192, 32768, 100, 60, 60, 60, 0,
            0, 128, EscapedSlashes.DECODE, 1024, 32768, 100);

    /** {@code escaped_slashes}: APISIX (through nginx) routes on the decoded path; these are the choices. */
    public enum EscapedSlashes {
        /** {@code %2F} and {@code %5C} become {@code /} before the path is normalised; routes and upstream see that path. */
        DECODE,
        /** A path holding {@code %2F} or {@code %5C} is refused with 400. */
        REJECT,
        /** {@code %2F} and {@code %5C} stay encoded, inside their segment (safe only if upstreams do not decode them). */
        KEEP
    }
}
