package io.tidegate.plugins.jwtauth;

import io.tidegate.plugin.api.PluginConfigException;
import java.util.LinkedHashSet;
import java.util.List;
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

    /**
     * @param listed the route's list, each item exp or nbf (the schema says so); null when absent
     * @throws PluginConfigException naming the item that lists a claim twice
     */
    static ClaimsToVerify of(List<String> listed) throws PluginConfigException {
        if (listed == null || listed.isEmpty()) {
            return WHEN_PRESENT;
        }
        Set<String> claims = new LinkedHashSet<>();
        for (int i = 0; i < listed.size(); i++) {
            if (!claims.add(listed.get(i))) {
                throw new PluginConfigException("claims_to_verify[" + i + "]", listed.get(i) + " is listed twice");
            }
        }
        return new ClaimsToVerify(Set.copyOf(claims), true);
    }

    boolean checks(String claim) {
        return claims.contains(claim);
    }
}
