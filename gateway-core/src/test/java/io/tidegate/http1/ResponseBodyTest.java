package io.tidegate.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import org.junit.jupiter.api.Test;

class ResponseBodyTest {
    private static final ResponseHead OK = new ResponseHead(200, "OK", true);

    private static HeaderMap fields(String... nameValues) {
        HeaderMap fields = new HeaderMap();
        for (int i = 0; i < nameValues.length; i += 2) {
            fields.add(io.undertow.util.HttpString.tryFromString(nameValues[i]), nameValues[i + 1]);
        }
        return fields;
    }

    @Test
    void framingFollowsRfc9112() throws Exception {
        assertEquals(new ResponseBody(ResponseBody.Kind.LENGTH, 12), ResponseBody.of(OK, false, fields("Content-Length", "12")));
        assertEquals(ResponseBody.Kind.CHUNKED, ResponseBody.of(OK, false, fields("Transfer-Encoding", "chunked")).kind());
        assertEquals(ResponseBody.Kind.UNTIL_CLOSE, ResponseBody.of(OK, false, fields()).kind());
        assertEquals(ResponseBody.Kind.NONE, ResponseBody.of(OK, true, fields("Content-Length", "12")).kind(), "HEAD");
        assertEquals(ResponseBody.Kind.NONE, ResponseBody.of(new ResponseHead(304, "", true), false, fields()).kind());
        assertEquals(ResponseBody.Kind.NONE, ResponseBody.of(new ResponseHead(204, "", true), false, fields()).kind());
    }

    @Test
    void theClientSeesOneLengthAndNoTransferEncoding() throws Exception {
        HeaderMap twice = fields("Content-Length", "5", "Content-Length", "5, 5");
        assertEquals(5, ResponseBody.of(OK, false, twice).length());
        assertEquals(1, twice.count(Headers.CONTENT_LENGTH));
        HeaderMap chunked = fields("Transfer-Encoding", "Chunked");
        ResponseBody.of(OK, false, chunked);
        assertFalse(chunked.contains(Headers.TRANSFER_ENCODING), "the gateway frames the client's side itself");
        HeaderMap noContent = fields("Content-Length", "0");
        ResponseBody.of(new ResponseHead(204, "", true), false, noContent);
        assertFalse(noContent.contains(Headers.CONTENT_LENGTH), "a 204 carries no Content-Length");
    }

    @Test
    void whatCannotBeDelimitedWithCertaintyIsRefused() {
        HeaderMap[] broken = {
            fields("Content-Length", "5", "Content-Length", "6"),
            fields("Content-Length", "5, 6"),
            fields("Content-Length", "-1"),
            fields("Content-Length", "1e3"),
            fields("Content-Length", ""),
            fields("Content-Length", "99999999999999999999"),
            fields("Content-Length", "5", "Transfer-Encoding", "chunked"),
            fields("Transfer-Encoding", "gzip, chunked"),
            fields("Transfer-Encoding", "identity"),
            fields("Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked"),
        };
        for (HeaderMap fields : broken) {
            assertThrows(UpstreamProtocolException.class, () -> ResponseBody.of(OK, false, fields), fields.toString());
        }
        assertThrows(UpstreamProtocolException.class,
                () -> ResponseBody.of(new ResponseHead(200, "", false), false, fields("Transfer-Encoding", "chunked")),
                "chunked in HTTP/1.0");
    }
}
