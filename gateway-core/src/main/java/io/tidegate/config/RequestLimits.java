package io.tidegate.config;

/**
 * {@code tidegate.limits}: what a client may send and how slowly. Sizes in bytes, times in seconds.
 *
 * @param maxUriLength   longest request target (path and query): 414 beyond
 * @param maxHeaderSize  all header names and values together: 431 beyond
 * @param maxHeaders     header lines: 431 beyond
 * @param headerTimeout  time to send the request head (slowloris): the connection is closed
 * @param bodyTimeout    time without a byte while a body is being read: the connection is closed
 * @param keepaliveTimeout idle time between requests on a connection before it is closed
 * @param maxConnections client connections open at once (0 = no limit); more wait in the backlog
 */
public record RequestLimits(int maxUriLength, int maxHeaderSize, int maxHeaders, double headerTimeout,
                            double bodyTimeout, double keepaliveTimeout, int maxConnections) {
    public static final RequestLimits DEFAULT = new RequestLimits(8192, 32768, 100, 60, 60, 60, 0);
}
