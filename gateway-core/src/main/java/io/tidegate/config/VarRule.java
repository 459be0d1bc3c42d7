package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One rule of an APISIX {@code vars} list, in lua-resty-expr's grammar: a comparison
 * ({@link VarExpression}) or a logical combination of rules ({@link Logic}:
 * {@code ["OR", [...], [...]]}, also {@code AND}, {@code !AND}, {@code !OR}), nested to any depth.
 * The list itself is an implicit AND of its rules, unless it starts with a logical operator.
 */
public sealed interface VarRule permits VarExpression, VarRule.Logic {
    Set<String> OPERATORS = Set.of("AND", "OR", "!AND", "!OR");

    /** {@code rules} joined by {@code and} (AND) or not (OR), the result negated for {@code !AND}/{@code !OR}. */
    record Logic(boolean and, boolean negated, List<VarRule> rules) implements VarRule {
        public Logic {
            rules = List.copyOf(rules);
        }
    }

    /** A rule and where it stands in its list: {@code ""} for the whole list, {@code "[2]"} for an item. */
    record Located(String where, VarRule rule) {}

    /**
     * A {@code vars} list (a route's, or a plugin's conditions): its rules, each to be met; or, when
     * it starts with a string, the one logical rule the whole list is ({@code ["OR", [...], [...]]}).
     * Each rule that has none of the shapes goes to {@code failed} with where it stands and why.
     */
    static List<Located> parseList(JsonNode list, BiConsumer<String, String> failed) {
        if (list.size() > 0 && list.get(0).isTextual()) {
            if (!isOperator(list.get(0))) {
                failed.accept("", VarExpression.SHAPE);
                return List.of();
            }
            try {
                return List.of(new Located("", parse(list)));
            } catch (IllegalArgumentException e) {
                failed.accept("", e.getMessage());
                return List.of();
            }
        }
        List<Located> rules = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            try {
                rules.add(new Located("[" + i + "]", parse(list.get(i))));
            } catch (IllegalArgumentException e) {
                failed.accept("[" + i + "]", e.getMessage());
            }
        }
        return rules;
    }

    /** One rule; {@link IllegalArgumentException} when it has none of the shapes. */
    static VarRule parse(JsonNode rule) {
        if (rule.isArray() && rule.size() > 0 && isOperator(rule.get(0))) {
            String op = rule.get(0).textValue().toUpperCase(java.util.Locale.ROOT);
            if (rule.size() < 2) {
                throw new IllegalArgumentException(op + " needs at least one rule");
            }
            List<VarRule> rules = new ArrayList<>();
            for (int i = 1; i < rule.size(); i++) {
                rules.add(parse(rule.get(i)));
            }
            return new Logic(op.endsWith("AND"), op.startsWith("!"), rules);
        }
        return VarExpression.parse(rule);
    }

    private static boolean isOperator(JsonNode node) {
        return node.isTextual() && OPERATORS.contains(node.textValue().toUpperCase(java.util.Locale.ROOT));
    }
}
