package io.tidegate.plugins.grpcweb;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * One {@code grpc-web} configuration at work, as APISIX's plugin does it:
 * <ul>
 * <li>access: OPTIONS is answered 204 (the CORS preflight); any method but POST 405; a content
 *     type that is not gRPC-Web 400. The body is read whole (up to {@code max_req_body_size}),
 *     base64-decoded for the text forms, and sent as {@code application/grpc} to the method the
 *     path ends with ({@code /grpc/web/pkg.Service/Method} calls {@code /pkg.Service/Method}).</li>
 * <li>header filter (every response): {@code Access-Control-Allow-Origin: *} unless the cors
 *     plugin set one, {@code Access-Control-Expose-Headers: grpc-message,grpc-status}, and for
 *     OPTIONS the allowed method and headers; a converted call's response takes the request's
 *     content type.</li>
 * <li>body filter: the upstream's messages pass as they are (base64 per chunk for the text
 *     forms), then a trailer frame (flag 0x80) carries {@code grpc-status} and
 *     {@code grpc-message} from the upstream's trailers. A trailers-only answer, whose status
 *     is already in the response head, gets none.</li>
 * </ul>
 */
final class GrpcWebInstance implements PluginInstance {
    private static final Set<String> BINARY = Set.of("application/grpc-web", "application/grpc-web+proto");
    private static final Set<String> TEXT = Set.of("application/grpc-web-text", "application/grpc-web-text+proto");
    private static final String EXPOSE_HEADERS = "grpc-message,grpc-status";
    private static final AttributeKey<Call> CALL = AttributeKey.of("grpc-web call", Call.class);

    /** A call this plugin converted: its content type, and whether its status is already in the head. */
    private static final class Call {
        final String mime;
        final boolean text;
        boolean statusInHead;
        boolean passing;

        Call(String mime) {
            this.mime = mime;
            this.text = TEXT.contains(mime);
        }
    }

    private final GrpcWebPlugin.Settings config;
    private final PluginLog log;

    GrpcWebInstance(GrpcWebPlugin.Settings config, PluginLog log) {
        this.config = config;
        this.log = log;
    }

    @Override
    public PhaseResult access(PluginContext context) {
        String method = context.request().method();
        if ("OPTIONS".equals(method)) {
            return PhaseResult.respond(204, Map.of(), new byte[0]);
        }
        if (!"POST".equals(method)) {
            log.error("request method: `{}` invalid", method);
            return ErrorPage.of(405);
        }
        String mime = context.request().header("Content-Type");
        if (mime == null || !BINARY.contains(mime) && !TEXT.contains(mime)) {
            log.error("request Content-Type: `{}` invalid", mime);
            return ErrorPage.of(400);
        }
        Call call = new Call(mime);
        String path = context.upstreamRequest().path();
        String methodPath = grpcMethod(path);
        if (!methodPath.equals(path)) {
            context.upstreamRequest().setPath(methodPath);
        }
        return PhaseResult.later(context.readBody(config.maxReqBodySize()).thenApply(body -> {
            if (body == null || body.length == 0) {
                log.error("failed to read request body, err: {}", body == null ? "request body too large" : "no request body");
                return ErrorPage.of(400);
            }
            byte[] message = body;
            if (call.text) {
                try {
                    message = Base64.getDecoder().decode(trimmed(body));
                } catch (IllegalArgumentException e) {
                    log.error("failed to decode request body");
                    return ErrorPage.of(400);
                }
            }
            context.upstreamRequest().setBody(message);
            context.upstreamRequest().setHeader("Content-Type", "application/grpc");
            context.setAttribute(CALL, call);
            return PhaseResult.proceed();
        }));
    }

    /** The gRPC method a path ends with, {@code /pkg.Service/Method}; the path itself when it has fewer segments. */
    static String grpcMethod(String path) {
        int last = path.lastIndexOf('/');
        int before = last > 0 ? path.lastIndexOf('/', last - 1) : -1;
        return before <= 0 ? path : path.substring(before);
    }

    private static byte[] trimmed(byte[] body) {
        int end = body.length;
        while (end > 0 && (body[end - 1] == '\n' || body[end - 1] == '\r')) {
            end--;
        }
        return end == body.length ? body : java.util.Arrays.copyOf(body, end);
    }

    @Override
    public void headerFilter(PluginContext context) {
        PluginContext.Response response = context.response();
        if ("OPTIONS".equals(context.request().method())) {
            response.setHeader("Access-Control-Allow-Methods", "POST");
            response.setHeader("Access-Control-Allow-Headers", config.corsAllowHeaders());
        }
        if (response.header("Access-Control-Allow-Origin") == null) {
            response.setHeader("Access-Control-Allow-Origin", "*");  // the cors plugin's origin, when set, stands
        }
        response.setHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS);
        Call call = context.attribute(CALL);
        if (call == null) {
            return;
        }
        call.statusInHead = response.header("grpc-status") != null;
        call.passing = call.statusInHead || context.var("upstream_status") != null;
        if (call.passing) {
            response.setHeader("Content-Type", call.mime);
            response.removeHeader("Content-Length");
        }
    }

    @Override
    public boolean filtersBody() {
        return true;
    }

    @Override
    public ByteBuffer bodyFilter(PluginContext context, ByteBuffer chunk, boolean last) {
        Call call = context.attribute(CALL);
        if (call == null || !call.passing) {
            return chunk;
        }
        ByteBuffer out = call.text && chunk.hasRemaining() ? Base64.getEncoder().encode(chunk) : chunk;
        if (!last || call.statusInHead) {
            return out;
        }
        ByteBuffer trailer = trailerFrame(context.response().trailer("grpc-status"), context.response().trailer("grpc-message"));
        if (call.text) {
            trailer = Base64.getEncoder().encode(trailer);
        }
        ByteBuffer both = ByteBuffer.allocate(out.remaining() + trailer.remaining());
        both.put(out).put(trailer).flip();
        return both;
    }

    /** gRPC-Web's trailer frame: flag 0x80, a 4-byte length, then the status lines. */
    static ByteBuffer trailerFrame(String status, String message) {
        if (status == null || status.isEmpty()) {
            status = "2";
            message = "upstream grpc status not received";
        }
        byte[] lines = ("grpc-status:" + status + "\r\ngrpc-message:" + (message == null ? "" : message) + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.allocate(5 + lines.length);
        frame.put((byte) 0x80).putInt(lines.length).put(lines).flip();
        return frame;
    }
}
