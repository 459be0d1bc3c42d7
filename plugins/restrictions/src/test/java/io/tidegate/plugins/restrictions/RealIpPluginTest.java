package io.tidegate.plugins.restrictions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tidegate.plugin.api.IpRange;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

/** real-ip's address parsing and X-Forwarded-For walk, as APISIX's t/plugin/real-ip.t expects. */
class RealIpPluginTest {
    private static final RealIpPlugin PLUGIN = new RealIpPlugin();

    private static String clientAfter(String settings, String header, String value) throws Exception {
        PluginInstance realIp = PluginRunner.create(PLUGIN, settings);
        TestContext context = TestContext.get("/").header(header, value);
        realIp.rewrite(context);
        return context.var("remote_addr") + " " + context.var("remote_port");
    }

    @Test
    void addressesWithAndWithoutPorts() throws Exception {
        String fromHeader = "{\"source\": \"http_x_real_ip\"}";
        assertEquals("1.1.1.1 40000", clientAfter(fromHeader, "X-Real-IP", "1.1.1.1"), "no port: the connection's stays");
        assertEquals("1.1.1.1 80", clientAfter(fromHeader, "X-Real-IP", "1.1.1.1:80"));
        assertEquals("0:0:0:0:0:0:0:2 40000", clientAfter(fromHeader, "X-Real-IP", "::2"));
        assertEquals("0:0:0:0:0:0:0:2 40000", clientAfter(fromHeader, "X-Real-IP", "[::2]"));
        assertEquals("0:0:0:0:0:0:0:2 80", clientAfter(fromHeader, "X-Real-IP", "[::2]:80"));
    }

    @Test
    void badValuesChangeNothing() throws Exception {
        String fromHeader = "{\"source\": \"http_x_real_ip\"}";
        for (String bad : List.of("1.1.1.1.1", "1.1.1.1:65536", "1.1.1.1:0", "localhost", "example.com:80", "[::2", "[::2]x", "1.1.1.1:")) {
            assertEquals("127.0.0.1 40000", clientAfter(fromHeader, "X-Real-IP", bad), bad);
        }
    }

    @Test
    void forwardedForTakesTheLastEntryOrTheLastUntrustedOne() {
        List<IpRange> trusted = List.of(IpRange.parse("127.0.0.0/8"), IpRange.parse("192.128.0.0/16"));
        assertEquals("::2", RealIpPlugin.fromForwardedFor(List.of("::1, ::2"), null));
        assertEquals("9.9.9.9", RealIpPlugin.fromForwardedFor(List.of("1.1.1.1", "8.8.8.8,9.9.9.9"), null), "the last header counts");
        assertEquals("1.1.1.1", RealIpPlugin.fromForwardedFor(List.of("1.1.1.1, 192.128.1.1, 127.0.0.1"), trusted));
        assertEquals("2.2.2.2", RealIpPlugin.fromForwardedFor(List.of("1.1.1.1, 2.2.2.2, 127.0.0.1"), trusted));
        assertEquals("127.0.0.2", RealIpPlugin.fromForwardedFor(List.of("127.0.0.2, 127.0.0.1"), trusted), "all trusted: the first");
        assertNull(RealIpPlugin.fromForwardedFor(null, trusted));
    }

    @Test
    void theConnectionsPeerStaysReadable() throws Exception {
        PluginInstance realIp = PluginRunner.create(PLUGIN, "{\"source\": \"arg_realip\"}");
        TestContext context = TestContext.get("/?realip=10.0.0.1");
        realIp.rewrite(context);
        assertEquals("10.0.0.1", context.var("remote_addr"));
        assertEquals("127.0.0.1", context.var("realip_remote_addr"));
    }
}
