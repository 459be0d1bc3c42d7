package io.tidegate.proxy;

import io.undertow.protocols.http2.Http2Channel;
import io.undertow.protocols.http2.Http2DataStreamSinkChannel;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http2.Http2ServerConnection;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Undertow knows about an exchange's HTTP/2 stream but does not expose: the connection it
 * belongs to and whether the client has reset it. Undertow does not tell the handler of a stream
 * that the client reset it, nor does it enforce the stream limit it advertises, so the gateway
 * asks for itself. Read through reflection on two private fields; if a future Undertow renames
 * them, this says so once in the log and both features are off (requests still work).
 */
final class Http2Streams {
    private static final Logger log = LoggerFactory.getLogger(Http2Streams.class);
    private static final Field CHANNEL = field("channel");
    private static final Field RESPONSE = field("responseChannel");

    private Http2Streams() {}

    private static Field field(String name) {
        try {
            Field field = Http2ServerConnection.class.getDeclaredField(name);
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("cannot read Undertow's HTTP/2 {} ({}): reset streams are not noticed early and the stream limit"
                    + " is not enforced", name, e.toString());
            return null;
        }
    }

    /** The HTTP/2 connection of the exchange, or null for HTTP/1.x. */
    static Http2Channel channel(HttpServerExchange exchange) {
        return exchange.getConnection() instanceof Http2ServerConnection connection ? get(CHANNEL, connection, Http2Channel.class) : null;
    }

    /** Whether the client reset the exchange's stream (always false for HTTP/1.x). */
    static boolean isReset(HttpServerExchange exchange) {
        Http2DataStreamSinkChannel response = response(exchange);
        return response != null && !response.isOpen();
    }

    /** Resets the exchange's stream with the given HTTP/2 error code; false when that is not possible. */
    static boolean reset(HttpServerExchange exchange, int errorCode) {
        Http2Channel channel = channel(exchange);
        Http2DataStreamSinkChannel response = response(exchange);
        if (channel == null || response == null) {
            return false;
        }
        channel.sendRstStream(response.getStreamId(), errorCode);
        return true;
    }

    private static Http2DataStreamSinkChannel response(HttpServerExchange exchange) {
        return exchange.getConnection() instanceof Http2ServerConnection connection
                ? get(RESPONSE, connection, Http2DataStreamSinkChannel.class) : null;
    }

    private static <T> T get(Field field, Object owner, Class<T> type) {
        if (field == null) {
            return null;
        }
        try {
            return type.cast(field.get(owner));
        } catch (IllegalAccessException e) {
            return null;
        }
    }
}
