package io.tidegate.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;

/**
 * What a gRPC client gets when the gateway itself answers its call (no route, an auth plugin's
 * refusal, a rate limit, no upstream, a timeout): the call's status as gRPC carries it, in a
 * response head that ends the stream ({@code :status 200}, {@code grpc-status},
 * {@code grpc-message}), instead of an HTTP error with a JSON body that a gRPC client cannot read.
 */
final class GrpcStatusAnswer {
    static final int DEADLINE_EXCEEDED = 4;
    static final HttpString GRPC_STATUS = new HttpString("grpc-status");
    static final HttpString GRPC_MESSAGE = new HttpString("grpc-message");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 1024;

    private GrpcStatusAnswer() {}

    /** The client's Content-Type, kept once a plugin changes it (grpc-transcode makes a JSON request a gRPC call). */
    private static final io.undertow.util.AttachmentKey<String> CLIENT_TYPE = io.undertow.util.AttachmentKey.create(String.class);

    /**
     * Keeps the client's Content-Type before a plugin changes the header {@code name}: what the
     * client can read is decided by what it sent, not by what the upstream is sent.
     */
    static void keepClientType(HttpServerExchange exchange, String name) {
        if (name.equalsIgnoreCase("Content-Type") && exchange.getAttachment(CLIENT_TYPE) == null) {
            String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
            exchange.putAttachment(CLIENT_TYPE, type == null ? "" : type);
        }
    }

    /**
     * Whether the client made a gRPC call over HTTP/2 framing (not gRPC-Web, which its plugin
     * answers, nor a JSON request grpc-transcode turned into a call).
     */
    static boolean wanted(HttpServerExchange exchange) {
        String kept = exchange.getAttachment(CLIENT_TYPE);
        String type = kept != null ? kept : exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type == null || !type.regionMatches(true, 0, "application/grpc", 0, 16)) {
            return false;
        }
        return type.length() == 16 || type.charAt(16) == '+' || type.charAt(16) == ';';
    }

    /**
     * The gRPC status for a gateway answer with this HTTP status: gRPC's own HTTP mapping, except
     * that 429 is RESOURCE_EXHAUSTED (a rate limit, not an outage) and 504 DEADLINE_EXCEEDED (the
     * gateway's timeouts).
     */
    static int code(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> 13;        // INTERNAL, as gRPC maps a 400
            case 401 -> 16;        // UNAUTHENTICATED
            case 403 -> 7;         // PERMISSION_DENIED
            case 404, 405, 501 -> 12;   // UNIMPLEMENTED
            case 408, 504 -> 4;    // DEADLINE_EXCEEDED
            case 413, 429 -> 8;    // RESOURCE_EXHAUSTED
            case 500 -> 13;        // INTERNAL
            case 502, 503 -> 14;   // UNAVAILABLE
            default -> 2;          // UNKNOWN
        };
    }

    /** Answers the call with {@code code}; headers already on the response stay (a plugin's, say). */
    static void send(HttpServerExchange exchange, int code, String message) {
        exchange.setStatusCode(200);
        HeaderMap headers = exchange.getResponseHeaders();
        headers.remove(Headers.CONTENT_LENGTH);
        headers.put(Headers.CONTENT_TYPE, "application/grpc");
        headers.put(GRPC_STATUS, code);
        if (message != null && !message.isEmpty()) {
            headers.put(GRPC_MESSAGE, percentEncoded(message));
        }
        endWithoutBody(exchange);
    }

    /**
     * Ends the response with its head alone (over HTTP/2 one HEADERS frame with END_STREAM). The
     * response channel is taken first: ending an exchange whose response has not started would
     * let the default response listeners (the upstream error page) answer over this one.
     */
    static void endWithoutBody(HttpServerExchange exchange) {
        endResponse(exchange, exchange.getResponseChannel());
    }

    /** Ends a response whose channel the caller holds: the trailers go as the stream ends. */
    static void endResponse(HttpServerExchange exchange, StreamSinkChannel sink) {
        try {
            sink.shutdownWrites();
            if (!sink.flush()) {
                sink.getWriteSetter().set(ChannelListeners.flushingChannelListener(
                        channel -> exchange.endExchange(), (channel, e) -> IoUtils.safeClose(exchange.getConnection())));
                sink.resumeWrites();
                return;
            }
        } catch (IOException e) {
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        exchange.endExchange();
    }

    /** The trailers that end a call the gateway cut short after the upstream's response head. */
    static HeaderMap trailers(int code, String message) {
        HeaderMap trailers = new HeaderMap();
        trailers.put(GRPC_STATUS, code);
        trailers.put(GRPC_MESSAGE, percentEncoded(message));
        return trailers;
    }

    /** A plugin's refusal body as a grpc-message: its {@code message} or {@code error_msg}, else its text. */
    static String messageOf(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        String text = new String(body, 0, Math.min(body.length, MAX_MESSAGE * 4), StandardCharsets.UTF_8).trim();
        if (text.startsWith("{")) {
            try {
                JsonNode json = JSON.readTree(body);
                for (String field : new String[] {"message", "error_msg"}) {
                    if (json.path(field).isTextual()) {
                        return json.path(field).asText();
                    }
                }
            } catch (java.io.IOException notJson) {
                // sent as text
            }
        }
        return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) : text;
    }

    /** gRPC's percent-encoding of grpc-message: UTF-8, every byte outside 0x20-0x7E and '%' as %XX. */
    static String percentEncoded(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c <= 0x7e && c != '%') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
