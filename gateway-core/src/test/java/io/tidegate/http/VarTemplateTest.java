package io.tidegate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one template rule every part of the gateway uses. */
class VarTemplateTest {
    private static final Map<String, String> VARS = Map.of("remote_addr", "10.0.0.1", "http_x_user", "ann", "uri", "/a",
            "1", "first", "evil", "x\r\nSet-Cookie: y");

    private static String render(String text) {
        return VarTemplate.compile(text).render(VARS::get);
    }

    @Test
    void plainAndBracedNamesAndCaptures() {
        assertEquals("10.0.0.1ann", render("$remote_addr$http_x_user"));
        assertEquals("/a.json", render("${uri}.json"));
        assertEquals("/v2/first", render("/v2/$1"));
    }

    @Test
    void anUnsetVariableIsEmptyAndALoneDollarStays() {
        assertEquals("[]", render("[$nope]"));
        assertEquals("costs $ 5 and $", render("costs $ 5 and $"));
        assertEquals("${not closed", render("${not closed"));
    }

    @Test
    void lineBreaksInValuesAreDropped() {
        assertEquals("xSet-Cookie: y", render("$evil"));
    }

    @Test
    void variablesAreListedOnceInOrder() {
        VarTemplate template = VarTemplate.compile("$uri-$remote_addr-$uri");
        assertEquals(List.of("uri", "remote_addr"), template.variables());
        assertFalse(template.isConstant());
        assertTrue(VarTemplate.compile("plain").isConstant());
    }
}
