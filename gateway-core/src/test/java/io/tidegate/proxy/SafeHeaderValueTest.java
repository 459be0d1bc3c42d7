package io.tidegate.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class SafeHeaderValueTest {
    @Test
    void plainValuesPassAsTheyAre() {
        String plain = "max-age=0, must-revalidate\tx";
        assertSame(plain, SafeHeaderValue.of(plain));
    }

    @Test
    void controlsGoAndWideCharsBecomeTheirUtf8Bytes() {
        assertEquals("ab", SafeHeaderValue.of("a\r\nb"));
        assertEquals("a\u00c4\u008d\u00c4\u008ab", SafeHeaderValue.of("a\u010d\u010ab"), "U+010D U+010A as UTF-8 bytes, never CR LF");
        assertEquals("caf\u00c3\u00a9", SafeHeaderValue.of("caf\u00e9"));
        assertEquals("ab", SafeHeaderValue.of("a\u0000\u007fb"));
    }
}
