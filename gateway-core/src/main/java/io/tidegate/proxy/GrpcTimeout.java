package io.tidegate.proxy;

import io.undertow.util.HttpString;

/**
 * The {@code grpc-timeout} request header of the gRPC wire protocol: up to eight digits and a unit
 * (H, M, S, m, u, n), the time the client gives the whole call.
 */
final class GrpcTimeout {
    static final HttpString HEADER = new HttpString("grpc-timeout");

    private GrpcTimeout() {}

    /** The timeout in milliseconds (rounded up), or -1 when absent or not in the protocol's form. */
    static long millis(String value) {
        if (value == null || value.length() < 2 || value.length() > 9) {
            return -1;
        }
        long amount = 0;
        for (int i = 0; i < value.length() - 1; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            amount = amount * 10 + (c - '0');
        }
        return switch (value.charAt(value.length() - 1)) {
            case 'H' -> amount * 3_600_000;
            case 'M' -> amount * 60_000;
            case 'S' -> amount * 1_000;
            case 'm' -> amount;
            case 'u' -> (amount + 999) / 1_000;
            case 'n' -> (amount + 999_999) / 1_000_000;
            default -> -1;
        };
    }
}
