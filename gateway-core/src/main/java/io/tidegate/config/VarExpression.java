package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One APISIX {@code vars} comparison, {@code [var, op, value]} or {@code [var, "!", op, value]};
 * compiled and checked by the router. See {@link VarRule} for the logical ones.
 */
public record VarExpression(String variable, boolean negated, String operator, JsonNode value) implements VarRule {
    static final String SHAPE = "must be [var, operator, value], [var, \"!\", operator, value] or [\"AND\"|\"OR\"|\"!AND\"|\"!OR\", rule, ...]";

    /**
     * Reads one condition; {@link IllegalArgumentException} when it does not have either shape.
     * As lua-resty-expr: operators in any case ({@code IN} is {@code in}), and the old two-item
     * form {@code [var, value]} meaning {@code ==}.
     */
    public static VarExpression parse(JsonNode expr) {
        if (expr.isArray() && expr.size() == 2 && expr.get(0).isTextual() && !expr.get(1).isContainerNode()) {
            return new VarExpression(expr.get(0).textValue(), false, "==", expr.get(1).deepCopy());
        }
        boolean negated = expr.isArray() && expr.size() == 4 && "!".equals(expr.get(1).asText());
        int opIndex = negated ? 2 : 1;
        if (!expr.isArray() || expr.size() != (negated ? 4 : 3) || !expr.get(0).isTextual() || !expr.get(opIndex).isTextual()) {
            throw new IllegalArgumentException(SHAPE);
        }
        String operator = expr.get(opIndex).textValue().toLowerCase(java.util.Locale.ROOT);
        if (operator.startsWith("!") && operator.length() > 1) {
            negated = !negated;
            operator = operator.substring(1);
        }
        return new VarExpression(expr.get(0).textValue(), negated, operator, expr.get(opIndex + 1).deepCopy());
    }
}
