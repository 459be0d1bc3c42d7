package io.tidegate.plugins.compression;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AcceptEncodingTest {
    @Test
    void qValuesDecide() {
        assertTrue(AcceptEncoding.accepts(List.of("gzip, deflate, br"), "gzip"));
        assertTrue(AcceptEncoding.accepts(List.of("deflate", "GZIP;q=0.1"), "gzip"));
        assertFalse(AcceptEncoding.accepts(List.of("gzip;q=0"), "gzip"));
        assertFalse(AcceptEncoding.accepts(List.of("*;q=1, gzip;q=0"), "gzip"), "named q=0 beats *");
        assertTrue(AcceptEncoding.accepts(List.of("*"), "gzip"));
        assertFalse(AcceptEncoding.accepts(List.of("identity"), "gzip"));
        assertFalse(AcceptEncoding.accepts(List.of(), "gzip"));
        assertFalse(AcceptEncoding.accepts(List.of("gzip;q=zero"), "gzip"), "an unreadable q is 0");
    }
}
