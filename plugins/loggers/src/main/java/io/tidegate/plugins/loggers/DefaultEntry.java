package io.tidegate.plugins.loggers;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import io.tidegate.plugin.api.PluginContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * APISIX's default log entry: request {url, uri, method, headers, querystring, size, body},
 * response {status, headers, size, body}, upstream, service_id, route_id, consumer, client_ip,
 * start_time and the latencies. {@link #capture} takes on the request's thread only what must be
 * read there, as the gateway hands it out (strings, a copy of the headers); concatenating, parsing
 * numbers, lower-casing and escaping wait for {@link #writeFields}.
 */
final class DefaultEntry extends LogEntry {
    // field names quoted and encoded once, not on every entry
    private static final SerializableString REQUEST = new SerializedString("request");
    private static final SerializableString RESPONSE = new SerializedString("response");
    private static final SerializableString URL = new SerializedString("url");
    private static final SerializableString URI = new SerializedString("uri");
    private static final SerializableString METHOD = new SerializedString("method");
    private static final SerializableString HEADERS = new SerializedString("headers");
    private static final SerializableString QUERYSTRING = new SerializedString("querystring");
    private static final SerializableString SIZE = new SerializedString("size");
    private static final SerializableString BODY = new SerializedString("body");
    private static final SerializableString STATUS = new SerializedString("status");
    private static final SerializableString UPSTREAM = new SerializedString("upstream");
    private static final SerializableString SERVICE_ID = new SerializedString("service_id");
    private static final SerializableString ROUTE_ID = new SerializedString("route_id");
    private static final SerializableString CONSUMER = new SerializedString("consumer");
    private static final SerializableString USERNAME = new SerializedString("username");
    private static final SerializableString CLIENT_IP = new SerializedString("client_ip");
    private static final SerializableString START_TIME = new SerializedString("start_time");
    private static final SerializableString LATENCY = new SerializedString("latency");
    private static final SerializableString UPSTREAM_LATENCY = new SerializedString("upstream_latency");
    private static final SerializableString APISIX_LATENCY = new SerializedString("apisix_latency");
    private static final String[] NO_ARGS = new String[0];

    private final String scheme;
    private final String host;
    private final String serverPort;
    private final String path;
    private final String query;
    private final String method;
    private final HeaderFields requestHeaders;
    /** Decoded name, first value, name, value... in the order of the query string. */
    private final String[] queryArgs;
    private final String requestLength;
    private final byte[] requestBody;
    private final int status;
    private final HeaderFields responseHeaders;
    private final String bytesSent;
    private final ByteArrayOutputStream responseBody;
    private final String upstreamAddr;
    private final String serviceId;
    private final String routeId;
    private final String consumer;
    private final String clientIp;
    private final String msec;
    private final String requestTime;
    private final String upstreamResponseTime;

    private DefaultEntry(PluginContext context, byte[] requestBody, ByteArrayOutputStream responseBody) {
        PluginContext.Request request = context.request();
        this.scheme = context.var("scheme");
        this.host = context.var("host");
        this.serverPort = context.var("server_port");
        this.path = request.path();
        this.query = request.query();
        this.method = request.method();
        this.requestHeaders = HeaderFields.copyOf(request::forEachHeader);
        this.queryArgs = query.isEmpty() ? NO_ARGS : queryArgs(request, query);
        this.requestLength = context.var("request_length");
        this.requestBody = requestBody;
        this.status = context.response().status();
        this.responseHeaders = HeaderFields.copyOf(context.response()::forEachHeader);
        this.bytesSent = context.var("bytes_sent");
        this.responseBody = responseBody;
        this.upstreamAddr = context.var("upstream_addr");
        this.serviceId = context.serviceId();
        this.routeId = context.routeId();
        this.consumer = context.consumer().orElse(null);
        this.clientIp = context.var("remote_addr");
        this.msec = context.var("msec");
        // the clock runs until read: the latency is the request's when it is logged, not when written out
        this.requestTime = context.var("request_time");
        this.upstreamResponseTime = context.var("upstream_response_time");
    }

    /**
     * The entry of the finished request in {@code context}, on its thread.
     *
     * @param requestBody the head of the request body to show, or null
     * @param responseBody the head of the response body to show (no longer written to), or null
     */
    static DefaultEntry capture(PluginContext context, byte[] requestBody, ByteArrayOutputStream responseBody) {
        return new DefaultEntry(context, requestBody, responseBody);
    }

    /** Each argument's first value as the gateway decoded it; asked for on the request's thread. */
    private static String[] queryArgs(PluginContext.Request request, String query) {
        String[] pairs = query.split("&");
        String[] args = new String[pairs.length * 2];
        for (int i = 0; i < pairs.length; i++) {
            int eq = pairs[i].indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pairs[i] : pairs[i].substring(0, eq), StandardCharsets.UTF_8);
            args[2 * i] = name;
            args[2 * i + 1] = request.queryArg(name);
        }
        return args;
    }

    @Override
    void writeFields(JsonGenerator json) throws IOException {
        String uri = query.isEmpty() ? path : path + "?" + query;
        json.writeFieldName(REQUEST);
        json.writeStartObject();
        json.writeFieldName(URL);
        json.writeString(scheme + "://" + host + ":" + serverPort + uri);
        json.writeFieldName(URI);
        json.writeString(uri);
        json.writeFieldName(METHOD);
        json.writeString(method);
        json.writeFieldName(HEADERS);
        json.writeStartObject();
        requestHeaders.writeTo(json);
        json.writeEndObject();
        json.writeFieldName(QUERYSTRING);
        json.writeStartObject();
        for (int i = 0; i < queryArgs.length; i += 2) {
            json.writeStringField(queryArgs[i], queryArgs[i + 1]);
        }
        json.writeEndObject();
        json.writeFieldName(SIZE);
        json.writeNumber(number(requestLength));
        if (requestBody != null && requestBody.length > 0) {
            json.writeFieldName(BODY);
            json.writeString(new String(requestBody, StandardCharsets.UTF_8));
        }
        json.writeEndObject();

        json.writeFieldName(RESPONSE);
        json.writeStartObject();
        json.writeFieldName(STATUS);
        json.writeNumber(status);
        json.writeFieldName(HEADERS);
        json.writeStartObject();
        responseHeaders.writeTo(json);
        json.writeEndObject();
        json.writeFieldName(SIZE);
        json.writeNumber(number(bytesSent));
        if (responseBody != null) {
            json.writeFieldName(BODY);
            json.writeString(responseBody.toString(StandardCharsets.UTF_8));
        }
        json.writeEndObject();

        json.writeFieldName(UPSTREAM);
        json.writeString(upstreamAddr);
        json.writeFieldName(SERVICE_ID);
        json.writeString(serviceId == null ? "" : serviceId);
        json.writeFieldName(ROUTE_ID);
        json.writeString(routeId);
        if (consumer != null) {
            json.writeFieldName(CONSUMER);
            json.writeStartObject();
            json.writeFieldName(USERNAME);
            json.writeString(consumer);
            json.writeEndObject();
        }
        json.writeFieldName(CLIENT_IP);
        json.writeString(clientIp);
        json.writeFieldName(START_TIME);
        json.writeNumber(Math.round(seconds(msec) * 1000));
        double latency = seconds(requestTime) * 1000;
        double upstream = seconds(upstreamResponseTime) * 1000;
        json.writeFieldName(LATENCY);
        json.writeNumber(latency);
        json.writeFieldName(UPSTREAM_LATENCY);
        json.writeNumber(upstream);
        json.writeFieldName(APISIX_LATENCY);
        json.writeNumber(Math.max(0, latency - upstream));
    }

    private static long number(String value) {
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static double seconds(String value) {
        if (value == null) {
            return 0;
        }
        double plain = plainDecimal(value);
        if (!Double.isNaN(plain)) {
            return plain;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** 10^k, exact as doubles up to 10^22. */
    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

    /**
     * The gateway's times ("0.012", "1764670000.123") as Double.parseDouble reads them, without
     * its parser (a tenth of the batch thread's time, three per entry): digits with at most one
     * point, at most 15 digits, are an integer and a power of ten both exact as doubles, and their
     * quotient is rounded once to the nearest double, as parseDouble rounds the decimal. NaN for
     * anything else, which parseDouble then reads.
     */
    static double plainDecimal(String text) {
        int length = text.length();
        if (length == 0 || length > 16) {
            return Double.NaN;
        }
        long digits = 0;
        int point = -1;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                digits = digits * 10 + (c - '0');
            } else if (c == '.' && point < 0 && i > 0 && i < length - 1) {
                point = i;
            } else {
                return Double.NaN;
            }
        }
        if (point < 0) {
            return length > 15 ? Double.NaN : digits;
        }
        return digits / POWERS_OF_TEN[length - 1 - point];
    }
}
