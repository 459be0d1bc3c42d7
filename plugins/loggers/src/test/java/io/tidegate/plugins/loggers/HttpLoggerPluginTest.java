package io.tidegate.plugins.loggers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tidegate.plugin.CompileServices;
import io.tidegate.plugin.PluginOutputs;
import io.tidegate.plugin.SharedStates;
import io.tidegate.plugin.api.DropCounter;
import io.tidegate.plugin.api.LineSink;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.schema.BoundSchema;
import io.tidegate.plugin.testkit.PluginRunner;
import io.tidegate.plugin.testkit.TestContext;
import io.tidegate.testing.FreePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class HttpLoggerPluginTest {
    private final HttpLoggerPlugin plugin = new HttpLoggerPlugin();

    @Test
    void versionsWithTheSameSettingsShareOneSenderUntilTheLastLetsGo() throws Exception {
        SharedStates shared = new SharedStates();
        LongAdder dropped = new LongAdder();
        CompileServices version = new CompileServices(Map.of(), Set.of(), new PluginOutputs() {
            @Override
            public LineSink lineSink(String path) {
                return line -> false;
            }

            @Override
            public DropCounter droppedEntries(String pluginName) {
                return dropped::add;
            }

            @Override
            public SharedStates sharedStates() {
                return shared;
            }
        });
        String same = config(FreePort.pick(), 10);
        List<SharedStates.Hold> oldVersion = new ArrayList<>();
        List<SharedStates.Hold> newVersion = new ArrayList<>();
        List<SharedStates.Hold> otherRoute = new ArrayList<>();
        create(same, version, oldVersion);
        PluginInstance newer = create(same, version, newVersion);
        create(config(FreePort.pick(), 20), version, otherRoute);
        assertEquals(2, shared.open(), "one sender for the two versions with the same settings, one for the other route");

        oldVersion.forEach(SharedStates.Hold::release);
        assertEquals(2, shared.open(), "still open for the version that remains");
        newer.log(TestContext.get("/orders")); // queued: nothing is due for a minute
        assertEquals(0, dropped.sum());
        newVersion.forEach(SharedStates.Hold::release);
        otherRoute.forEach(SharedStates.Hold::release);
        assertEquals(0, shared.open());
        newer.log(TestContext.get("/orders")); // a request that outlived its version
        assertEquals(2, dropped.sum(), "both counted: the queued entry (no collector listens) and the late one");
    }

    private static String config(int port, int batchMaxSize) {
        return """
                {"uri": "http://127.0.0.1:%d/logs", "timeout": 0.2, "batch_max_size": %d, "inactive_timeout": 60,
                 "buffer_duration": 60, "retry_delay": 0.01}""".formatted(port, batchMaxSize);
    }

    private PluginInstance create(String json, CompileServices version, List<SharedStates.Hold> holds) throws Exception {
        HttpLoggerPlugin.Settings settings = BoundSchema.compile(plugin.configSchema()).bind(PluginRunner.json(json));
        return plugin.create(settings, version.forPlugin(plugin, "route:1", holds));
    }

    @Test
    void defaultsAreApisixs() throws Exception {
        HttpLoggerPlugin.Settings settings = BoundSchema.compile(plugin.configSchema())
                .bind(PluginRunner.json("{\"uri\": \"http://collector/logs\"}"));
        assertEquals(3, settings.timeout());
        assertEquals("json", settings.concatMethod());
        assertEquals(1000, settings.batchMaxSize());
        assertEquals(5, settings.inactiveTimeout());
        assertEquals(60, settings.bufferDuration());
        assertEquals(0, settings.maxRetryCount());
        assertEquals(1, settings.retryDelay());
        assertEquals(LogEntries.DEFAULT_BODY_CAP, settings.maxReqBodyBytes());
        assertEquals(LogEntries.DEFAULT_BODY_CAP, settings.maxRespBodyBytes());
    }

    @Test
    void anUnknownFieldAndAWrongTypeAreRefusedAtTheirField() {
        assertEquals(List.of("ssl_verify: unknown field"),
                PluginRunner.violations(plugin, "{\"uri\": \"http://collector/logs\", \"ssl_verify\": true}"));
        assertEquals(List.of("batch_max_size: must be an integer >= 1"),
                PluginRunner.violations(plugin, "{\"uri\": \"http://collector/logs\", \"batch_max_size\": \"many\"}"));
        assertEquals(List.of("concat_method: must be one of \"json\", \"new_line\""),
                PluginRunner.violations(plugin, "{\"uri\": \"http://collector/logs\", \"concat_method\": \"csv\"}"));
        assertEquals(List.of("uri: is required (a non-empty string)"), PluginRunner.violations(plugin, "{}"));
        PluginConfigException wrong = assertThrows(PluginConfigException.class,
                () -> PluginRunner.create(plugin, "{\"uri\": \"http://collector/logs\", \"include_req_body\": \"yes\"}"));
        assertEquals("include_req_body", wrong.field());
    }

    @Test
    void anAuthorizationHeaderCannotCarryASecondHeaderLine() {
        // a CR/LF here would make every batch fail in the HTTP client (and once, log the value)
        assertEquals(List.of("auth_header: must be a string matching ^[^\\r\\n]*$"), PluginRunner.violations(plugin,
                "{\"uri\": \"http://collector/logs\", \"auth_header\": \"Bearer x\\r\\nX-Injected: 1\"}"));
    }

    @Test
    void theCollectorMustBeAnHttpUrl() {
        for (String uri : List.of("tcp://collector:9000", "collector/logs", "http://", "http://bad host/")) {
            PluginConfigException error = assertThrows(PluginConfigException.class,
                    () -> PluginRunner.create(plugin, "{\"uri\": \"" + uri + "\"}"), uri);
            assertEquals("uri", error.field());
            assertTrue(error.getMessage().contains("must be an http(s) URL"), error.getMessage());
        }
    }
}
