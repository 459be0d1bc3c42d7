package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.Template;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Builds the log entry of one request, shared by file-logger and http-logger: APISIX's default
 * shape, or the fields a {@code log_format} names. As in APISIX a value starting with {@code $}
 * refers to variables (here a template of the gateway's: {@code "$host"}, {@code "${uri}"},
 * {@code "$remote_addr:$remote_port"}) and any other value is kept as written; a value that is
 * nothing but references to unset variables is null. With {@code include_req_body} /
 * {@code include_resp_body} the default shape carries the first {@code max_req_body_bytes} /
 * {@code max_resp_body_bytes} (APISIX's 524288 each) of the bodies, read as UTF-8, for the requests
 * {@code include_req_body_expr} / {@code include_resp_body_expr} select (all requests without
 * them); both bodies stream through the gateway all the same, only these heads are kept.
 */
final class LogEntries {
    static final int DEFAULT_BODY_CAP = 524_288;
    private static final ByteArrayOutputStream RESPONSE_BODY_NOT_LOGGED = new ByteArrayOutputStream(0);

    /** Whether one body goes into the entry: up to {@code cap} bytes (0: never) of the requests {@code when} selects. */
    private record BodyRule(int cap, Predicate<PluginContext> when) {
        static final BodyRule OFF = new BodyRule(0, context -> false);

        boolean appliesTo(PluginContext context) {
            return cap > 0 && when.test(context);
        }
    }

    /** One {@code log_format} field: a text kept as written, or a template of variables. */
    private record FormatField(String name, String text, Template template, boolean onlyReferences) {
        static FormatField of(String name, String value, PluginServices services) throws PluginConfigException {
            if (!value.startsWith("$")) {
                return new FormatField(name, value, null, false);
            }
            Template template = services.template("log_format." + name, value);
            return new FormatField(name, value, template, template.render(variable -> "").isEmpty());
        }

        String value(PluginContext context) {
            if (template == null) {
                return text;
            }
            String value = template.render(context);
            if (value.isEmpty() && onlyReferences && template.variables().stream().allMatch(v -> context.var(v) == null)) {
                return null;
            }
            return value;
        }
    }

    private final List<FormatField> format;
    private final boolean namesServiceId;
    private final boolean namesRouteId;
    private final BodyRule requestBody;
    private final BodyRule responseBody;
    /**
     * This logger's head of the response body, per request. A key of its own, not a shared
     * constant: two loggers on one request (file-logger and http-logger, a global rule's and a
     * route's) each keep their own head, under their own cap and condition.
     */
    private final AttributeKey<ByteArrayOutputStream> responseBodyKey =
            AttributeKey.of("loggers.response_body", ByteArrayOutputStream.class);

    private LogEntries(List<FormatField> format, BodyRule requestBody, BodyRule responseBody) {
        this.format = format;
        this.namesServiceId = format != null && names(format, "service_id");
        this.namesRouteId = format != null && names(format, "route_id");
        this.requestBody = requestBody;
        this.responseBody = responseBody;
    }

    /** Compiles {@code log_format} and the body rules of a bound configuration. */
    static LogEntries of(EntrySettings settings, PluginServices services) throws PluginConfigException {
        List<FormatField> fields = null;
        if (settings.logFormat() != null) {
            fields = new ArrayList<>();
            for (Map.Entry<String, String> field : settings.logFormat().entrySet()) {
                fields.add(FormatField.of(field.getKey(), field.getValue(), services));
            }
        }
        return new LogEntries(fields == null ? null : List.copyOf(fields),
                bodyRule(services, settings.includeReqBody(), settings.maxReqBodyBytes(), "include_req_body_expr",
                        settings.includeReqBodyExpr()),
                bodyRule(services, settings.includeRespBody(), settings.maxRespBodyBytes(), "include_resp_body_expr",
                        settings.includeRespBodyExpr()));
    }

    private static BodyRule bodyRule(PluginServices services, boolean include, int cap, String exprField, JsonNode expr)
            throws PluginConfigException {
        // Checked even while the body is off, so a typo shows before someone turns it on.
        Predicate<PluginContext> when = expr == null || expr.isNull() ? context -> true : services.conditions(exprField, expr);
        return include ? new BodyRule(cap, when) : BodyRule.OFF;
    }

    boolean capturesResponseBody() {
        return responseBody.cap() > 0;
    }

    /**
     * How much of the request body the gateway should keep aside for this logger. Every request's,
     * since the body streams before its condition can be judged on the finished request.
     */
    int requestBodyHead() {
        return requestBody.cap();
    }

    /** Keeps the head of the response body for the entry, if its condition holds; passes the chunk on untouched. */
    ByteBuffer capture(PluginContext context, ByteBuffer chunk) {
        // judged once, at the first chunk, when the status and headers are known (as APISIX does)
        ByteArrayOutputStream body = context.attribute(responseBodyKey);
        if (body == null) {
            body = responseBody.appliesTo(context) ? new ByteArrayOutputStream() : RESPONSE_BODY_NOT_LOGGED;
            context.setAttribute(responseBodyKey, body);
        }
        if (body == RESPONSE_BODY_NOT_LOGGED) {
            return chunk;
        }
        int take = Math.min(chunk.remaining(), responseBody.cap() - body.size());
        if (take > 0) {
            byte[] bytes = new byte[take];
            chunk.duplicate().get(bytes);
            body.writeBytes(bytes);
        }
        return chunk;
    }

    /**
     * The entry of the finished request in {@code context}: what it needs taken now, on the
     * request's thread; its JSON made when the caller writes it out.
     */
    LogEntry capture(PluginContext context) {
        if (format != null) {
            return formatted(context);
        }
        ByteArrayOutputStream body = context.attribute(responseBodyKey);
        return DefaultEntry.capture(context, requestBody.appliesTo(context) ? context.request().bodyHead() : null,
                body == RESPONSE_BODY_NOT_LOGGED ? null : body);
    }

    /** The entry as one JSON line, for a file. */
    String line(PluginContext context) {
        return capture(context).line();
    }

    /** The entry as UTF-8 JSON. */
    byte[] utf8Line(PluginContext context) {
        return capture(context).utf8();
    }

    /**
     * The request as it came, APISIX's {@code meta_format: origin}: the request line, each header
     * as {@code name: value} (a repeated header once per value), a blank line, then with
     * {@code include_req_body} the head of the body.
     */
    byte[] originalRequest(PluginContext context) {
        StringBuilder head = new StringBuilder(512);
        head.append(context.var("request_method")).append(' ').append(context.var("request_uri")).append(' ')
                .append(context.var("server_protocol")).append("\r\n");
        context.request().forEachHeader((name, values) -> {
            for (String value : values) {
                head.append(name.toLowerCase(Locale.ROOT)).append(": ").append(value).append("\r\n");
            }
        });
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] body = requestBody.appliesTo(context) ? context.request().bodyHead() : new byte[0];
        if (body.length == 0) {
            return headBytes;
        }
        byte[] all = java.util.Arrays.copyOf(headBytes, headBytes.length + body.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    private LogEntry formatted(PluginContext context) {
        // as APISIX's custom format: which route (and service) served, after the named fields
        boolean withService = context.serviceId() != null && !namesServiceId;
        int size = format.size() + (withService ? 1 : 0) + (namesRouteId ? 0 : 1);
        String[] names = new String[size];
        String[] values = new String[size];
        int i = 0;
        for (FormatField field : format) {
            names[i] = field.name();
            values[i++] = field.value(context);
        }
        if (withService) {
            names[i] = "service_id";
            values[i++] = context.serviceId();
        }
        if (!namesRouteId) {
            names[i] = "route_id";
            values[i] = context.routeId();
        }
        return new FormattedEntry(names, values);
    }

    /** Whether the format names {@code field} itself (then its value, not the route's, is written). */
    private static boolean names(List<FormatField> format, String field) {
        for (FormatField named : format) {
            if (named.name().equals(field)) {
                return true;
            }
        }
        return false;
    }
}
