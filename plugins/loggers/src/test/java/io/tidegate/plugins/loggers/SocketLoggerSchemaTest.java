package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.schema.BoundSchema;
import io.tidegate.plugin.testkit.PluginRunner;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schemas of tcp-logger, udp-logger and syslog: APISIX's defaults, and the refusals of its .t files. */
class SocketLoggerSchemaTest {
    @Test
    void tcpLoggerDefaultsAreApisixs() throws Exception {
        TcpLoggerPlugin plugin = new TcpLoggerPlugin();
        TcpLoggerPlugin.Settings s = BoundSchema.compile(plugin.configSchema())
                .bind(PluginRunner.json("{\"host\": \"127.0.0.1\", \"port\": 5044}"));
        assertEquals(1000, s.timeout());
        assertEquals(false, s.tls());
        assertEquals("tcp logger", s.name());
        assertBatchDefaults(s);
        assertEquals(405, plugin.priority());
    }

    @Test
    void udpLoggerDefaultsAreApisixs() throws Exception {
        UdpLoggerPlugin plugin = new UdpLoggerPlugin();
        UdpLoggerPlugin.Settings s = BoundSchema.compile(plugin.configSchema())
                .bind(PluginRunner.json("{\"host\": \"127.0.0.1\", \"port\": 5044}"));
        assertEquals(3, s.timeout());
        assertEquals("udp logger", s.name());
        assertBatchDefaults(s);
        assertEquals(400, plugin.priority());
    }

    @Test
    void syslogDefaultsAreApisixs() throws Exception {
        SyslogPlugin plugin = new SyslogPlugin();
        SyslogPlugin.Settings s = BoundSchema.compile(plugin.configSchema())
                .bind(PluginRunner.json("{\"host\": \"127.0.0.1\", \"port\": 5044}"));
        assertEquals(3000, s.timeout());
        assertEquals("tcp", s.sockType());
        assertEquals(5, s.poolSize());
        assertEquals(4096, s.flushLimit());
        assertEquals(1048576, s.dropLimit());
        assertEquals(false, s.tls());
        assertEquals("sys logger", s.name());
        assertBatchDefaults(s);
        assertEquals(401, plugin.priority());
    }

    private static void assertBatchDefaults(BatchSettings s) {
        assertEquals(1000, s.batchMaxSize());
        assertEquals(5, s.inactiveTimeout());
        assertEquals(60, s.bufferDuration());
        assertEquals(0, s.maxRetryCount());
        assertEquals(1, s.retryDelay());
    }

    @Test
    void theRefusalsOfApisixsTestFiles() {
        // tcp-logger.t / udp-logger.t TEST 2 and 3, syslog.t TEST 2 and 3, TEST 8 (bad log_format)
        assertEquals(List.of("host: is required (a non-empty string)"),
                PluginRunner.violations(new TcpLoggerPlugin(), "{\"port\": 3000}"));
        assertEquals(List.of("timeout: must be an integer >= 1"),
                PluginRunner.violations(new TcpLoggerPlugin(), "{\"host\": \"127.0.0.1\", \"port\": 3000, \"timeout\": \"10\"}"));
        assertEquals(List.of("host: is required (a non-empty string)"),
                PluginRunner.violations(new UdpLoggerPlugin(), "{\"port\": 3000}"));
        assertEquals(List.of("timeout: must be an integer >= 1"),
                PluginRunner.violations(new UdpLoggerPlugin(), "{\"host\": \"127.0.0.1\", \"port\": 3000, \"timeout\": \"10\"}"));
        assertEquals(List.of("port: is required (an integer >= 1 and <= 65535)"),
                PluginRunner.violations(new SyslogPlugin(), "{\"host\": \"127.0.0.1\"}"));
        assertEquals(List.of("port: must be an integer >= 1 and <= 65535"),
                PluginRunner.violations(new SyslogPlugin(), "{\"host\": \"127.0.0.1\", \"port\": \"3000\"}"));
        List<String> badFormat = PluginRunner.violations(new TcpLoggerPlugin(),
                "{\"host\": \"127.0.0.1\", \"port\": 3000, \"log_format\": \"$host\"}");
        assertEquals(1, badFormat.size());
        assertTrue(badFormat.get(0).startsWith("log_format: must be"), badFormat.toString());
        assertEquals(List.of("sock_type: must be one of \"tcp\", \"udp\""),
                PluginRunner.violations(new SyslogPlugin(), "{\"host\": \"h\", \"port\": 514, \"sock_type\": \"quic\"}"));
        assertEquals(List.of("pool_size: must be an integer >= 5"),
                PluginRunner.violations(new SyslogPlugin(), "{\"host\": \"h\", \"port\": 514, \"pool_size\": 1}"));
        assertEquals(List.of("log_format_extra: unknown field"),
                PluginRunner.violations(new UdpLoggerPlugin(), "{\"host\": \"h\", \"port\": 514, \"log_format_extra\": {}}"));
    }

    @Test
    void syslogRefusesTlsOverUdp() {
        PluginConfigException error = assertThrows(PluginConfigException.class, () -> PluginRunner.create(new SyslogPlugin(),
                "{\"host\": \"127.0.0.1\", \"port\": 514, \"sock_type\": \"udp\", \"tls\": true}"));
        assertEquals("tls", error.field());
    }

    @Test
    void rfc5424FramesAsApisix() {
        byte[] framed = Rfc5424.encode(Rfc5424.FACILITY_SYSLOG, Rfc5424.SEVERITY_INFO, Instant.parse("2024-05-06T07:08:09.012Z"),
                "shop.example.com", "apisix", 4242, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        assertEquals("<46>1 2024-05-06T07:08:09.012Z shop.example.com apisix 4242 - - {\"a\":1}\n",
                new String(framed, StandardCharsets.UTF_8));
        assertEquals("-", Rfc5424.field(null, 255));
        assertEquals("a_b", Rfc5424.field("a b", 255), "no space inside a header field");
        assertEquals(255, Rfc5424.field("h".repeat(300), 255).length());
    }
}
