package io.tidegate.plugins.hmacauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tidegate.plugin.testkit.TestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Authorization fields and the signing string, as APISIX's hmac-auth builds them. */
class SignatureHeaderTest {
    @Test
    void fieldsAreReadInAnyOrderAndUnknownOnesIgnored() {
        SignatureHeader header = SignatureHeader.parse(
                "Signature keyId=\"my-key\", algorithm=\"hmac-sha256\",headers=\"@request-target date x-custom\",extra=\"1\",signature=\"c2lnbg==\"");
        assertEquals(new SignatureHeader("my-key", "hmac-sha256", "c2lnbg==", List.of("@request-target", "date", "x-custom")), header);
        assertNull(SignatureHeader.parse("Bearer abc"));
        assertEquals(new SignatureHeader(null, null, null, null), SignatureHeader.parse("Signature"));
    }

    @Test
    void theSigningStringListsKeyIdThenCoveredHeadersSkippingAbsentOnes() {
        TestContext context = TestContext.get("/hello?a=1").header("Date", "Thu, 24 Sep 2020 06:39:52 GMT").header("X-Custom", "v")
                .var("request_uri", "/hello?a=1");
        assertEquals("my-key\nGET /hello?a=1\ndate: Thu, 24 Sep 2020 06:39:52 GMT\nX-Custom: v\n",
                HmacAuthInstance.signingString(context, "my-key", List.of("@request-target", "date", "X-Custom", "x-absent")));
        assertEquals("my-key\n", HmacAuthInstance.signingString(context, "my-key", List.of()));
    }
}
