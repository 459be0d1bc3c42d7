package io.tidegate.plugins.grpctranscode;

/** The HTTP status APISIX's grpc-transcode answers for a failed call's gRPC status (599 for codes it does not know). */
final class GrpcStatuses {
    private static final int[] HTTP = {200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401};

    private GrpcStatuses() {}

    static int http(String grpcStatus) {
        try {
            int code = Integer.parseInt(grpcStatus.trim());
            return code >= 0 && code < HTTP.length ? HTTP[code] : 599;
        } catch (NumberFormatException e) {
            return 599;
        }
    }
}
