package io.tidegate.route;

import io.tidegate.plugin.api.IpRange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.config.VarExpression;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RouteConditions ANY = new RouteConditions(Set.of(), List.of(), List.of());

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static VarCondition var(String name, String op, String valueJson) {
        boolean negated = op.startsWith("!");
        return VarCondition.compile(new VarExpression(name, negated, negated ? op.substring(1) : op, json(valueJson)));
    }

    @Test
    void hostsExactThenWildcardLongestFirstThenAny() {
        Router<String> router = Router.<String>builder()
                .add("exact", List.of("/*"), List.of("a.b.example.com"), ANY, 0)
                .add("deep-wild", List.of("/*"), List.of("*.b.example.com"), ANY, 0)
                .add("wild", List.of("/*"), List.of("*.example.com"), ANY, 0)
                .add("star", List.of("/star"), List.of("*"), ANY, 0)
                .add("any", List.of("/*"), List.of(), ANY, 0)
                .build();
        assertEquals("exact", router.match(FakeRequest.get("a.b.example.com", "/")));
        assertEquals("deep-wild", router.match(FakeRequest.get("c.b.example.com", "/")));
        assertEquals("wild", router.match(FakeRequest.get("c.example.com", "/")));
        assertEquals("any", router.match(FakeRequest.get("example.com", "/")));
        assertEquals("star", router.match(FakeRequest.get("whatever.org", "/star")));
        assertEquals("any", router.match(FakeRequest.get("", "/x")));
    }

    @Test
    void methodsAddressesAndVarsFilterCandidates() {
        Router<String> router = Router.<String>builder()
                .add("post", List.of("/x"), List.of(), new RouteConditions(Set.of("POST"), List.of(), List.of()), 0)
                .add("v6", List.of("/x"), List.of(), new RouteConditions(Set.of(), List.of(IpRange.parse("2001:db8::/32")), List.of()), 0)
                .add("vars", List.of("/x"), List.of(), new RouteConditions(Set.of(), List.of(), List.of(var("arg_a", "==", "\"1\""))), 0)
                .build();
        assertEquals("post", router.match(FakeRequest.get("h", "/x").withMethod("POST")));
        assertEquals("v6", router.match(FakeRequest.get("h", "/x").from("2001:db8::7")));
        assertEquals("vars", router.match(FakeRequest.get("h", "/x").withVars(Map.of("arg_a", "1"))));
        assertNull(router.match(FakeRequest.get("h", "/x")));
    }

    @Test
    void priorityThenConfigurationOrder() {
        Router<String> router = Router.<String>builder()
                .add("first", List.of("/p"), List.of(), ANY, 0)
                .add("second", List.of("/p"), List.of(), ANY, 0)
                .add("high", List.of("/q"), List.of(), ANY, 1)
                .add("low", List.of("/q"), List.of(), ANY, -1)
                .build();
        assertEquals("first", router.match(FakeRequest.get("h", "/p")));
        assertEquals("high", router.match(FakeRequest.get("h", "/q")));
    }

    @Test
    void everyVarsOperator() {
        Map<String, String> vars = Map.of("s", "hello", "n", "42", "ip", "10.1.2.3", "list", "a, b,c", "h", "Vip-User");
        FakeRequest request = FakeRequest.get("h", "/").withVars(vars);
        record Case(String var, String op, String value, boolean expected) {}
        List<Case> cases = List.of(
                new Case("s", "==", "\"hello\"", true), new Case("s", "==", "\"x\"", false),
                new Case("n", "==", "42", true), new Case("n", "==", "42.0", true),
                new Case("s", "~=", "\"x\"", true), new Case("s", "~=", "\"hello\"", false),
                new Case("missing", "~=", "\"x\"", true), new Case("missing", "==", "\"x\"", false),
                new Case("n", ">", "41", true), new Case("n", ">", "42", false),
                new Case("n", "<", "43", true), new Case("n", ">=", "42", true), new Case("n", "<=", "41", false),
                new Case("s", ">", "1", false),
                new Case("s", "~~", "\"^he.lo$\"", true), new Case("s", "~~", "\"^HE\"", false),
                new Case("h", "~*", "\"^vip-\"", true),
                new Case("s", "in", "[\"a\", \"hello\"]", true), new Case("s", "in", "[\"a\"]", false),
                new Case("n", "in", "[1, 42]", true),
                new Case("list", "has", "\"b\"", true), new Case("list", "has", "\"d\"", false),
                new Case("ip", "ipmatch", "\"10.0.0.0/8\"", true), new Case("ip", "ipmatch", "[\"192.168.0.0/16\", \"10.1.2.3\"]", true),
                new Case("ip", "ipmatch", "\"11.0.0.0/8\"", false), new Case("s", "ipmatch", "\"10.0.0.0/8\"", false),
                new Case("s", "!==", "\"x\"", true), new Case("s", "!~~", "\"ell\"", false));
        for (Case c : cases) {
            assertEquals(c.expected(), var(c.var(), c.op(), c.value()).matches(request), c.toString());
        }
    }
}
