package io.tidegate.plugins.grpctranscode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors;
import com.google.protobuf.DynamicMessage;
import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginLog;
import io.tidegate.plugin.api.PluginServices;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

/**
 * One grpc-transcode configuration at work, as APISIX's plugin does it:
 * <ul>
 * <li>access: the request's values (a JSON body for POST/PUT/PATCH with a JSON content type, else
 *     a POST's form, else the query) become the method's input message ({@link JsonToMessage});
 *     the upstream gets {@code POST /service/method} with it as one gRPC message, and
 *     {@code grpc-timeout} from {@code deadline}. A method the proto lacks: 503; values that do
 *     not fit: 400.</li>
 * <li>header filter: a 2xx answer becomes {@code application/json}; a trailers-only failure
 *     takes the HTTP status of its grpc-status (grpc-status, grpc-message and
 *     grpc-status-details-bin stay in the head).</li>
 * <li>body filter: the answer is read whole (up to {@code max_resp_body_size}); its first message
 *     is written as JSON ({@link MessageToJson}); a failure's body is its status
 *     ({@code show_status_in_body}) or left as it is.</li>
 * </ul>
 */
final class GrpcTranscodeInstance implements PluginInstance {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> JSON_METHODS = Set.of("POST", "PUT", "PATCH");
    private static final AttributeKey<Call> CALL = AttributeKey.of("grpc-transcode call", Call.class);
    /** The most of a request body read to make the call's message; more is 413. */
    private static final int MAX_REQUEST_BODY = 64 << 20;
    private static final byte[] NOT_DECODED = "failed to decode response data by protobuf".getBytes(StandardCharsets.US_ASCII);

    /** One transcoded call: what its filters decided and the answer read so far. */
    private static final class Call {
        final boolean grpcWeb;
        boolean passing = true;
        boolean failed;
        final ByteArrayOutputStream answer = new ByteArrayOutputStream();

        Call(boolean grpcWeb) {
            this.grpcWeb = grpcWeb;
        }
    }

    private final GrpcTranscodePlugin.Settings config;
    private final PluginLog log;
    private final String protoId;
    /** Null when the configuration has no proto of that id. */
    private final ProtoIndex proto;
    /** Null when the proto has no such method. */
    private final Descriptors.MethodDescriptor method;
    private final Descriptors.Descriptor detailType;
    private final MessageToJson json;

    private GrpcTranscodeInstance(GrpcTranscodePlugin.Settings config, PluginLog log, String protoId, ProtoIndex proto) {
        this.config = config;
        this.log = log;
        this.protoId = protoId;
        this.proto = proto;
        this.method = proto == null ? null : proto.method(config.service(), config.method());
        this.detailType = proto == null || config.statusDetailType() == null ? null : proto.message(config.statusDetailType());
        this.json = new MessageToJson(PbOptions.of(config.pbOption()));
    }

    static GrpcTranscodeInstance of(GrpcTranscodePlugin.Settings config, PluginServices services) {
        String protoId = config.protoId().asText();
        byte[] set = services.proto(protoId);
        ProtoIndex proto = null;
        if (set != null) {
            try {
                proto = ProtoIndex.of(set);
            } catch (Exception e) {
                // the gateway compiled this set, so this is unexpected: the calls answer 503
                services.log().error("proto {} cannot be loaded: {}", protoId, e.toString());
            }
        }
        return new GrpcTranscodeInstance(config, services.log(), protoId, proto);
    }

    @Override
    public PhaseResult access(PluginContext context) {
        if (proto == null) {
            log.error("proto load error: failed to find proto by id: {}", protoId);
            return PhaseResult.respond(503, Map.of(), new byte[0]);
        }
        if (method == null) {
            log.error("transform request error: Undefined service method: {}/{} end", config.service(), config.method());
            return PhaseResult.respond(503, Map.of(), new byte[0]);
        }
        String httpMethod = context.request().method();
        String type = context.request().header("Content-Type");
        if (type != null && type.contains("application/json") && JSON_METHODS.contains(httpMethod)) {
            return PhaseResult.later(context.readBody(MAX_REQUEST_BODY).thenApply(body -> {
                if (body == null) {
                    return PhaseResult.respond(413, Map.of(), new byte[0]);
                }
                JsonNode values = parseJson(body);
                if (values == null && "POST".equals(httpMethod)) {
                    values = form(new String(body, StandardCharsets.UTF_8));
                }
                return send(context, values == null ? form(context.request().query()) : values);
            }));
        }
        if ("POST".equals(httpMethod)) {
            return PhaseResult.later(context.readBody(MAX_REQUEST_BODY).thenApply(body -> body == null
                    ? PhaseResult.respond(413, Map.of(), new byte[0])
                    : send(context, form(new String(body, StandardCharsets.UTF_8)))));
        }
        return send(context, form(context.request().query()));
    }

    private static JsonNode parseJson(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode parsed = JSON.readTree(body);
            return parsed == null || parsed.isMissingNode() || parsed.isNull() ? null : parsed;
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** {@code a=1&b=2&items=x&items=y} as an object; a key given again becomes an array. */
    static ObjectNode form(String text) {
        ObjectNode values = JsonNodeFactory.instance.objectNode();
        if (text == null || text.isEmpty()) {
            return values;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            JsonNode existing = values.get(key);
            if (existing == null) {
                values.put(key, value);
            } else if (existing.isArray()) {
                ((ArrayNode) existing).add(value);
            } else {
                values.putArray(key).add(existing.asText()).add(value);
            }
        }
        return values;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private PhaseResult send(PluginContext context, JsonNode values) {
        DynamicMessage message;
        try {
            message = JsonToMessage.build(method.getInputType(), values);
        } catch (JsonToMessage.Unfit e) {
            log.error("transform request error: failed to encode request data to protobuf: {}", e.getMessage());
            return PhaseResult.respond(400, Map.of(), new byte[0]);
        }
        byte[] bytes = message.toByteArray();
        ByteBuffer frame = ByteBuffer.allocate(5 + bytes.length).put((byte) 0).putInt(bytes.length).put(bytes);
        PluginContext.UpstreamRequest upstream = context.upstreamRequest();
        upstream.setMethod("POST");
        upstream.setPath("/" + method.getService().getFullName() + "/" + method.getName());
        upstream.setQuery("");
        upstream.removeHeader("Content-Encoding");
        upstream.setHeader("Content-Type", "application/grpc");
        if (config.deadline() > 0) {
            upstream.setHeader("grpc-timeout", Math.max(1, Math.round(config.deadline())) + "m");
        }
        upstream.setBody(frame.array());
        context.setAttribute(CALL, new Call(context.request().header("X-Grpc-Web") != null));
        return PhaseResult.proceed();
    }

    @Override
    public void headerFilter(PluginContext context) {
        Call call = context.attribute(CALL);
        if (call == null) {
            return;
        }
        PluginContext.Response response = context.response();
        if (response.status() >= 300) {
            call.passing = false;  // the gateway's own error (502, 504): left as it is
            return;
        }
        response.setHeader("Content-Type", "application/json");
        response.removeHeader("Content-Length");
        String status = response.header("grpc-status");
        if (status != null && !status.equals("0")) {
            response.setStatus(GrpcStatuses.http(status));
            call.failed = true;
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
        int room = config.maxRespBodySize() - call.answer.size();
        int take = Math.min(room, chunk.remaining());
        if (take > 0) {
            byte[] bytes = new byte[take];
            chunk.get(bytes);
            call.answer.write(bytes, 0, take);
        }
        chunk.position(chunk.limit());
        if (!last) {
            return ByteBuffer.allocate(0);
        }
        return ByteBuffer.wrap(call.failed ? failureBody(context, call.answer.toByteArray()) : answer(call));
    }

    private byte[] failureBody(PluginContext context, byte[] body) {
        String details = context.response().header("grpc-status-details-bin");
        if (!config.showStatusInBody() || details == null) {
            return body;
        }
        try {
            return StatusInBody.body(details, detailType, config.statusDetailType() != null, json);
        } catch (StatusInBody.Failure e) {
            log.error("transform response error: {}, err: {}", e.getMessage(), config.statusDetailType());
            return e.getMessage().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** The first message of the answer as JSON (gRPC's 5-byte prefix skipped, except for a gRPC-Web client, as APISIX). */
    private byte[] answer(Call call) {
        byte[] body = call.answer.toByteArray();
        byte[] message = body;
        if (!call.grpcWeb && body.length >= 5) {
            int length = ByteBuffer.wrap(body, 1, 4).getInt();
            message = Arrays.copyOfRange(body, 5, length >= 0 && 5 + length <= body.length ? 5 + length : body.length);
        } else if (!call.grpcWeb) {
            message = new byte[0];
        }
        try {
            return json.write(DynamicMessage.parseFrom(method.getOutputType(), message));
        } catch (java.io.IOException | RuntimeException e) {
            log.error("transform response error: failed to decode response data by protobuf: {}", e.toString());
            return NOT_DECODED;
        }
    }
}
