package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One APISIX {@code vars} condition, {@code [var, op, value]} or {@code [var, "!", op, value]};
 * compiled and checked by the router.
 */
public record VarExpression(String variable, boolean negated, String operator, JsonNode value) {}
