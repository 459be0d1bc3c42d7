package io.tidegate.plugins.jwtauth;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.plugin.api.PluginConfigException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * APISIX's {@code claims_to_verify} (as of APISIX 3.17): which of the time claims {@code exp} and
 * {@code nbf} a token is checked against, and whether it must carry them.
 *
 * <ul>
 *   <li>Not configured, or an empty list: both are checked when the token has them. A token
 *       without {@code exp} never expires. (An empty list does not turn the checks off: that
 *       would let expired tokens through.)
 *   <li>A list: exactly those claims are checked, and a token lacking one of them is refused
 *       ({@code failed to verify jwt}). {@code [exp]} is how a route requires expiring tokens.
 * </ul>
 */
record ClaimsToVerify(Set<String> claims, boolean required) {
    static final ClaimsToVerify WHEN_PRESENT = new ClaimsToVerify(Set.of("exp", "nbf"), false);

    static ClaimsToVerify of(JsonNode value) throws PluginConfigException {
        if (value == null || value.isNull()) {
            return WHEN_PRESENT;
        }
        if (!value.isArray()) {
            throw new PluginConfigException("claims_to_verify", "must be a list of exp, nbf");
        }
        Set<String> claims = new LinkedHashSet<>();
        for (int i = 0; i < value.size(); i++) {
            String claim = value.get(i).asText();
            if (!claim.equals("exp") && !claim.equals("nbf")) {
                throw new PluginConfigException("claims_to_verify[" + i + "]", "must be exp or nbf");
            }
            if (!claims.add(claim)) {
                throw new PluginConfigException("claims_to_verify[" + i + "]", claim + " is listed twice");
            }
        }
        return claims.isEmpty() ? WHEN_PRESENT : new ClaimsToVerify(Set.copyOf(claims), true);
    }

    boolean checks(String claim) {
        return claims.contains(claim);
    }
}
