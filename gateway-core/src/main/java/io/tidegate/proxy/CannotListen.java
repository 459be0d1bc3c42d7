package io.tidegate.proxy;

/**
 * A listener could not be opened: the address, and why, in one line an operator can act on
 * ({@code cannot listen on 0.0.0.0:9080: address already in use}).
 */
public final class CannotListen extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CannotListen(String address, java.io.IOException cause) {
        super("cannot listen on " + address + ": " + reason(cause), cause);
    }

    private static String reason(java.io.IOException cause) {
        if (cause instanceof java.net.BindException) {
            String message = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (message.contains("in use")) {
                return "address already in use";
            }
            if (message.contains("assign")) {
                return "no such local address";
            }
            if (message.contains("permission")) {
                return "permission denied";
            }
        }
        if (cause instanceof java.net.UnknownHostException) {
            return "unknown host";
        }
        return String.valueOf(cause.getMessage());
    }
}
