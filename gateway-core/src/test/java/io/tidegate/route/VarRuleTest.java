package io.tidegate.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tidegate.config.VarRule;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** lua-resty-expr's grammar as APISIX's vars use it: nested AND, OR, !AND, !OR, and null. */
class VarRuleTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The rules of a vars list; a rule that has none of the shapes throws with why. */
    private static List<VarRule> parse(String varsJson) throws Exception {
        return VarRule.parseList(JSON.readTree(varsJson), (where, message) -> {
            throw new IllegalArgumentException(message);
        }).stream().map(VarRule.Located::rule).toList();
    }

    /** Whether every rule of the vars list holds for a request with {@code vars}. */
    private static boolean matches(String varsJson, Map<String, String> vars) throws Exception {
        List<VarRule> rules = parse(varsJson);
        FakeRequest request = FakeRequest.get("h", "/").withVars(vars);
        return rules.stream().allMatch(rule -> VarCondition.compile(rule).matches(request));
    }

    private static Map<String, String> args(String... pairs) {
        Map<String, String> vars = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            vars.put(pairs[i], pairs[i + 1]);
        }
        return vars;
    }

    @Test
    void orInsideTheListAsApisixDocumentsIt() throws Exception {
        String vars = "[[\"OR\", [\"arg_k\", \"==\", \"a\"], [\"arg_k\", \"==\", \"b\"]]]";
        assertTrue(matches(vars, args("arg_k", "a")));
        assertTrue(matches(vars, args("arg_k", "b")));
        assertFalse(matches(vars, args("arg_k", "c")));
    }

    @Test
    void aListStartingWithAnOperatorIsOneRule() throws Exception {
        String vars = "[\"!OR\", [\"arg_k\", \"==\", \"a\"], [\"arg_k\", \"==\", \"b\"]]";
        assertFalse(matches(vars, args("arg_k", "a")));
        assertTrue(matches(vars, args("arg_k", "c")));
    }

    @Test
    void rulesNestToAnyDepth() throws Exception {
        String vars = "[[\"AND\", [\"arg_env\", \"==\", \"prod\"], [\"OR\", [\"http_x_team\", \"in\", [\"red\", \"blue\"]],"
                + " [\"!AND\", [\"arg_debug\", \"==\", \"1\"], [\"arg_n\", \">\", 10]]]]]";
        assertTrue(matches(vars, args("arg_env", "prod", "http_x_team", "red")));
        assertTrue(matches(vars, args("arg_env", "prod", "arg_debug", "0")), "!AND of a false rule holds");
        assertFalse(matches(vars, args("arg_env", "prod", "arg_debug", "1", "arg_n", "11")));
        assertFalse(matches(vars, args("arg_env", "dev", "http_x_team", "red")));
    }

    @Test
    void nullStandsForAnAbsentVariable() throws Exception {
        assertTrue(matches("[[\"http_x_user\", \"==\", null]]", args()));
        assertFalse(matches("[[\"http_x_user\", \"==\", null]]", args("http_x_user", "ann")));
        assertTrue(matches("[[\"http_x_user\", \"~=\", null]]", args("http_x_user", "ann")));
    }

    @Test
    void aLogicalRuleNeedsRules() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("[[\"OR\"]]"));
        assertEquals("OR needs at least one rule", e.getMessage());
    }
}
