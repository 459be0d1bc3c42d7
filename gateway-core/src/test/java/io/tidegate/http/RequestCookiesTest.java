package io.tidegate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestCookiesTest {
    @Test
    void valuesAreRawUpToTheNextSemicolon() {
        List<String> headers = List.of("a=1; token=eyJ4IjoxfQ==; b=\"q\"", "c=3");
        assertEquals("eyJ4IjoxfQ==", RequestCookies.value(headers, "token"), "base64 padding kept");
        assertEquals("\"q\"", RequestCookies.value(headers, "b"), "quotes kept, as nginx");
        assertEquals("3", RequestCookies.value(headers, "c"), "every Cookie header is searched");
        assertEquals("1", RequestCookies.value(headers, "a"));
    }

    @Test
    void absentNamesAndPrefixesAreNotMatches() {
        List<String> headers = List.of("tokens=1;xtoken=2; flag");
        assertNull(RequestCookies.value(headers, "token"));
        assertNull(RequestCookies.value(headers, "flag"));
        assertNull(RequestCookies.value(null, "token"));
        assertEquals("", RequestCookies.value(List.of("token="), "token"));
    }
}
