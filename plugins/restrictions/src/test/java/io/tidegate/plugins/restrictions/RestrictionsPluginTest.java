package io.tidegate.plugins.restrictions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The restrictions' configuration checks and the cases the real client cannot send. */
class RestrictionsPluginTest {
    private static void refused(io.tidegate.plugin.api.GatewayPlugin<?> plugin, String config, String field, String message) {
        PluginConfigException e = assertThrows(PluginConfigException.class, () -> PluginRunner.create(plugin, config));
        assertEquals(field, e.field());
        assertEquals(message, e.getMessage());
    }

    @Test
    void ipRestrictionNeedsExactlyOneListOfAddresses() throws Exception {
        IpRestrictionPlugin plugin = new IpRestrictionPlugin();
        assertFalse(PluginRunner.violations(plugin, "{}").isEmpty(), "one of whitelist, blacklist");
        assertFalse(PluginRunner.violations(plugin, "{\"whitelist\": [\"1.1.1.1\"], \"blacklist\": [\"2.2.2.2\"]}").isEmpty());
        refused(plugin, "{\"whitelist\": [\"10.0.0.1\", \"10.0.0.300\"]}", "whitelist[1]", "invalid ip address: 10.0.0.300");
        assertFalse(PluginRunner.violations(plugin, "{\"blacklist\": [\"::1\"], \"response_code\": 500}").isEmpty(), "403 or 404");
        assertEquals(List.of(), PluginRunner.violations(plugin, "{\"blacklist\": [\"fe80::/10\", \"192.168.0.0/16\"]}"));
    }

    @Test
    void uaRestrictionRefusesAMissingUserAgentUnlessBypassed() throws Exception {
        UaRestrictionPlugin plugin = new UaRestrictionPlugin();
        PluginInstance strict = PluginRunner.create(plugin, "{\"allowlist\": [\"^Mozilla\"]}");
        PhaseResult refused = strict.access(TestContext.get("/"));
        assertFalse(refused.proceeds());
        PluginInstance lenient = PluginRunner.create(plugin, "{\"allowlist\": [\"^Mozilla\"], \"bypass_missing\": true}");
        assertTrue(lenient.access(TestContext.get("/")).proceeds());
        refused(plugin, "{\"denylist\": [\"[a-\"]}", "denylist[0]", "is not a regular expression: Illegal character range");
    }

    @Test
    void refererHostIsTakenFromHttpUrlsOnly() {
        assertEquals("a.example.com", RefererRestrictionPlugin.host("https://a.example.com:8443/p?q"));
        assertNull(RefererRestrictionPlugin.host("ftp://a.example.com/"));
        assertNull(RefererRestrictionPlugin.host("a.example.com"));
        assertNull(RefererRestrictionPlugin.host("http://[bad"));
    }

    @Test
    void uriBlockerRulesMustCompile() {
        UriBlockerPlugin plugin = new UriBlockerPlugin();
        assertFalse(PluginRunner.violations(plugin, "{}").isEmpty(), "block_rules is required");
        refused(plugin, "{\"block_rules\": [\"(a\"]}", "block_rules[0]", "is not a regular expression: Unclosed group");
    }
}
