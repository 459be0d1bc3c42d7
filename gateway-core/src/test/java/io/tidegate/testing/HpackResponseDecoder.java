package io.tidegate.testing;

import io.undertow.protocols.http2.HpackDecoder;
import io.undertow.protocols.http2.HpackException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the header blocks a server sends on one connection. The gateway's encoder uses the
 * static table, dynamic table inserts and Huffman strings, so this is a full HPACK decoder:
 * Undertow's own, which is public API and keeps the dynamic table between blocks. One per
 * connection, used by its reading thread only.
 */
final class HpackResponseDecoder {
    private final HpackDecoder decoder = new HpackDecoder(); // the 4096-byte table our SETTINGS leave in force

    /** The fields of one complete header block, in order, names as sent (lowercase in HTTP/2). */
    List<H2Header> decode(byte[] block) throws IOException {
        List<H2Header> fields = new ArrayList<>();
        decoder.setHeaderEmitter((name, value, neverIndex) -> fields.add(new H2Header(name.toString(), value)));
        try {
            decoder.decode(ByteBuffer.wrap(block), false);
        } catch (HpackException e) {
            throw new IOException("the server's header block does not decode: " + e, e);
        }
        return fields;
    }
}
