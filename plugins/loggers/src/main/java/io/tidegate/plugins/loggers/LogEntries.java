package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the log entry of one request, shared by file-logger and http-logger: APISIX's default
 * shape, or the fields a {@code log_format} names ({@code "$var"} values resolved, other text kept).
 * With {@code include_resp_body} the first {@value #BODY_CAP} bytes of the response body are kept.
 */
final class LogEntries {
    static final int BODY_CAP = 64 * 1024;
    private static final String BODY = LogEntries.class.getName() + ".body";
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final Map<String, String> format;
    private final boolean includeResponseBody;

    private LogEntries(Map<String, String> format, boolean includeResponseBody) {
        this.format = format;
        this.includeResponseBody = includeResponseBody;
    }

    /** Reads {@code log_format}, {@code include_resp_body} and refuses {@code include_req_body}. */
    static LogEntries of(JsonNode config) throws PluginConfigException {
        if (config.path("include_req_body").asBoolean(false)) {
            throw new PluginConfigException("include_req_body", "is not supported: request bodies are streamed, not buffered");
        }
        JsonNode format = config.get("log_format");
        Map<String, String> fields = null;
        if (format != null) {
            if (!format.isObject() || format.isEmpty()) {
                throw new PluginConfigException("log_format", "must be a non-empty map of field names to values");
            }
            fields = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = format.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!field.getValue().isTextual()) {
                    throw new PluginConfigException("log_format." + field.getKey(), "must be a string");
                }
                fields.put(field.getKey(), field.getValue().textValue());
            }
        }
        return new LogEntries(fields == null ? null : Map.copyOf(fields), config.path("include_resp_body").asBoolean(false));
    }

    boolean capturesBody() {
        return includeResponseBody;
    }

    /** Keeps the head of the response body for the entry; passes the chunk on untouched. */
    ByteBuffer capture(PluginContext context, ByteBuffer chunk) {
        StringBuilder body = (StringBuilder) context.attributes().computeIfAbsent(BODY, k -> new StringBuilder());
        if (body.length() < BODY_CAP && chunk.hasRemaining()) {
            ByteBuffer view = chunk.duplicate();
            int take = Math.min(view.remaining(), BODY_CAP - body.length());
            byte[] bytes = new byte[take];
            view.get(bytes);
            body.append(new String(bytes, StandardCharsets.UTF_8));
        }
        return chunk;
    }

    ObjectNode entry(PluginContext context) {
        if (format != null) {
            ObjectNode entry = JSON.objectNode();
            format.forEach((name, value) -> entry.put(name, value.startsWith("$") ? context.var(value.substring(1)) : value));
            return entry;
        }
        ObjectNode entry = JSON.objectNode();
        PluginContext.Request request = context.request();
        ObjectNode req = entry.putObject("request");
        String query = request.query();
        String uri = request.path() + (query.isEmpty() ? "" : "?" + query);
        req.put("url", context.var("scheme") + "://" + context.var("host") + ":" + context.var("server_port") + uri);
        req.put("uri", uri);
        req.put("method", request.method());
        ObjectNode headers = req.putObject("headers");
        for (String name : request.headerNames()) {
            headers.put(name.toLowerCase(java.util.Locale.ROOT), String.join(", ", request.headers(name)));
        }
        ObjectNode args = req.putObject("querystring");
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                String key = java.net.URLDecoder.decode(pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair, StandardCharsets.UTF_8);
                args.put(key, request.queryArg(key));
            }
        }
        req.put("size", number(context.var("request_length")));
        ObjectNode resp = entry.putObject("response");
        resp.put("status", context.response().status());
        ObjectNode responseHeaders = resp.putObject("headers");
        for (String name : context.response().headerNames()) {
            responseHeaders.put(name.toLowerCase(java.util.Locale.ROOT), context.response().header(name));
        }
        resp.put("size", number(context.var("bytes_sent")));
        if (includeResponseBody && context.attributes().get(BODY) instanceof StringBuilder body) {
            resp.put("body", body.toString());
        }
        entry.put("upstream", context.var("upstream_addr"));
        entry.put("service_id", context.serviceId() == null ? "" : context.serviceId());
        entry.put("route_id", context.routeId());
        context.consumer().ifPresent(name -> entry.putObject("consumer").put("username", name));
        entry.put("client_ip", context.var("remote_addr"));
        entry.put("start_time", Math.round(seconds(context.var("msec")) * 1000));
        double latency = seconds(context.var("request_time")) * 1000;
        double upstream = seconds(context.var("upstream_response_time")) * 1000;
        entry.put("latency", latency);
        entry.put("upstream_latency", upstream);
        entry.put("apisix_latency", Math.max(0, latency - upstream));
        return entry;
    }

    private static long number(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double seconds(String value) {
        try {
            return value == null ? 0 : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
