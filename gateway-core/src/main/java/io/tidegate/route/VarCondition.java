package io.tidegate.route;

import io.tidegate.plugin.api.IpRange;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.config.VarExpression;
import io.tidegate.config.VarRule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One compiled {@code vars} rule (lua-resty-expr semantics as APISIX uses them): a comparison, or
 * AND/OR (possibly negated) of rules. A variable the request does not have matches only
 * {@code ~=} (and negations), and {@code == null}.
 */
public final class VarCondition {
    private final Predicate<MatchRequest> test;

    private VarCondition(Predicate<MatchRequest> test) {
        this.test = test;
    }

    public boolean matches(MatchRequest request) {
        return test.test(request);
    }

    /** Compiles a rule; {@link IllegalArgumentException} says what is wrong with it. */
    public static VarCondition compile(VarRule rule) {
        return new VarCondition(predicate(rule));
    }

    private static Predicate<MatchRequest> predicate(VarRule rule) {
        if (rule instanceof VarRule.Logic logic) {
            List<Predicate<MatchRequest>> parts = new ArrayList<>();
            logic.rules().forEach(r -> parts.add(predicate(r)));
            Predicate<MatchRequest> joined = logic.and()
                    ? request -> parts.stream().allMatch(p -> p.test(request))
                    : request -> parts.stream().anyMatch(p -> p.test(request));
            return logic.negated() ? joined.negate() : joined;
        }
        VarExpression e = (VarExpression) rule;
        Predicate<String> test = comparison(e);
        String variable = e.variable();
        boolean negated = e.negated();
        return request -> test.test(request.variable(variable)) != negated;
    }

    private static Predicate<String> comparison(VarExpression e) {
        JsonNode value = e.value();
        if (value.isNull() && (e.operator().equals("==") || e.operator().equals("~="))) {
            // null stands for "absent": == null holds when the request lacks the variable
            Predicate<String> absent = v -> v == null;
            return e.operator().equals("==") ? absent : absent.negate();
        }
        return switch (e.operator()) {
            case "==" -> equalTo(value);
            case "~=" -> equalTo(value).negate();
            case ">" -> numeric(value, c -> c > 0);
            case "<" -> numeric(value, c -> c < 0);
            case ">=" -> numeric(value, c -> c >= 0);
            case "<=" -> numeric(value, c -> c <= 0);
            case "~~" -> regex(value, 0);
            case "~*" -> regex(value, Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            case "in" -> in(value);
            case "has" -> has(value);
            case "ipmatch" -> ipMatch(value);
            default -> throw new IllegalArgumentException("unknown operator \"" + e.operator()
                    + "\" (use ==, ~=, >, <, >=, <=, ~~, ~*, in, has, ipmatch, optionally negated with !)");
        };
    }

    private static Predicate<String> equalTo(JsonNode value) {
        if (value.isNumber()) {
            double expected = value.doubleValue();
            return v -> {
                Double actual = toNumber(v);
                return actual != null && actual == expected;
            };
        }
        String expected = scalar(value, "==");
        return expected::equals;
    }

    private static Predicate<String> numeric(JsonNode value, java.util.function.IntPredicate comparison) {
        Double expected = value.isNumber() ? Double.valueOf(value.doubleValue()) : value.isTextual() ? toNumber(value.textValue()) : null;
        if (expected == null) {
            throw new IllegalArgumentException("value must be a number");
        }
        double bound = expected;
        return v -> {
            Double actual = toNumber(v);
            return actual != null && comparison.test(Double.compare(actual, bound));
        };
    }

    private static Predicate<String> regex(JsonNode value, int flags) {
        String text = scalar(value, "regex");
        try {
            Pattern pattern = Pattern.compile(text, flags);
            return v -> v != null && pattern.matcher(v).find();
        } catch (PatternSyntaxException ex) {
            throw new IllegalArgumentException("invalid regex: " + ex.getDescription());
        }
    }

    private static Predicate<String> in(JsonNode value) {
        if (!value.isArray()) {
            throw new IllegalArgumentException("value of in must be a list");
        }
        Set<String> allowed = new HashSet<>();
        value.forEach(item -> allowed.add(scalar(item, "in")));
        return v -> v != null && allowed.contains(v);
    }

    /** {@code has}: the variable, read as a comma-separated list (as multi-valued headers are), contains the value. */
    private static Predicate<String> has(JsonNode value) {
        String wanted = scalar(value, "has");
        return v -> {
            if (v == null) {
                return false;
            }
            for (String item : v.split(",")) {
                if (item.trim().equals(wanted)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static Predicate<String> ipMatch(JsonNode value) {
        List<IpRange> ranges = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(item -> ranges.add(IpRange.parse(scalar(item, "ipmatch"))));
        } else {
            ranges.add(IpRange.parse(scalar(value, "ipmatch")));
        }
        return v -> {
            var address = IpRange.parseLiteral(v);
            if (address == null) {
                return false;
            }
            for (IpRange range : ranges) {
                if (range.contains(address)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static String scalar(JsonNode value, String operator) {
        if (value.isTextual()) {
            return value.textValue();
        }
        if (value.isNumber() || value.isBoolean()) {
            return value.asText();
        }
        throw new IllegalArgumentException("value of " + operator + " must be a string or number");
    }

    private static Double toNumber(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Double.valueOf(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
