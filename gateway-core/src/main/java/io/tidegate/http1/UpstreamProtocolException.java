package io.tidegate.http1;

import java.io.IOException;

/**
 * The upstream broke HTTP/1.1: a response head that is too large or malformed, conflicting
 * lengths, an unknown transfer coding, bad chunk framing. The gateway answers 502 (or cuts a
 * response already under way) and never reuses that connection.
 */
public final class UpstreamProtocolException extends IOException {
    public UpstreamProtocolException(String message) {
        super(message);
    }
}
