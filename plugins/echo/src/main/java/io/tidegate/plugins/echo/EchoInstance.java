package io.tidegate.plugins.echo;

import io.tidegate.plugin.api.AttributeKey;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One configured echo: headers on the response head, the body rewritten chunk by chunk. */
final class EchoInstance implements PluginInstance {
    /** This instance's own: with two echoes on one request (a global rule's and the route's) each starts once. */
    private final AttributeKey<Boolean> started = AttributeKey.of("echo.started", Boolean.class);
    private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

    private final byte[] before;
    private final byte[] body;
    private final byte[] after;
    private final Map<String, String> headers;

    EchoInstance(String before, String body, String after, Map<String, String> headers) {
        this.before = bytes(before);
        this.body = bytes(body);
        this.after = bytes(after);
        this.headers = headers;
    }

    private static byte[] bytes(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void headerFilter(PluginContext context) {
        headers.forEach(context.response()::setHeader);
        if (filtersBody()) {
            context.response().removeHeader("Content-Length"); // the body changes size
        }
    }

    @Override
    public boolean filtersBody() {
        return before != null || body != null || after != null;
    }

    @Override
    public ByteBuffer bodyFilter(PluginContext context, ByteBuffer chunk, boolean last) {
        boolean first = context.setAttribute(started, Boolean.TRUE) == null;
        ByteBuffer content = body != null ? (first ? ByteBuffer.wrap(body) : NOTHING) : chunk;
        byte[] head = first && before != null ? before : null;
        byte[] tail = last && after != null ? after : null;
        if (head == null && tail == null) {
            return content;
        }
        ByteBuffer out = ByteBuffer.allocate((head == null ? 0 : head.length) + content.remaining() + (tail == null ? 0 : tail.length));
        if (head != null) {
            out.put(head);
        }
        out.put(content);
        if (tail != null) {
            out.put(tail);
        }
        return out.flip();
    }
}
