package io.tidegate.plugin;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.NoConfig;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import io.tidegate.plugin.api.UpstreamTry;
import io.tidegate.plugin.api.UpstreamTryWatcher;
import org.pf4j.Extension;

/**
 * A test plugin that watches every upstream try of its requests, reports each start and end to
 * {@link UpstreamTriesTest}, and tells each node which try it got ({@code X-Try}).
 */
@Extension
public final class TryRecorderPlugin implements GatewayPlugin<NoConfig> {
    @Override
    public String name() {
        return "try-recorder";
    }

    @Override
    public int priority() {
        return 410;
    }

    @Override
    public ConfigSchema<NoConfig> configSchema() {
        return ConfigSchema.none();
    }

    @Override
    public PluginInstance create(NoConfig config, PluginServices services) {
        return new PluginInstance() {
            @Override
            public PhaseResult access(PluginContext context) {
                String path = context.request().path();
                if (path.equals("/malformed")) {
                    context.upstreamRequest().setHeader("X Bad Name", "1");  // no token: never forwarded
                }
                context.watchUpstreamTries(new UpstreamTryWatcher() {
                    @Override
                    public void started(UpstreamTry attempt) {
                        UpstreamTriesTest.EVENTS.add(path + " started " + attempt.number() + " " + attempt.scheme() + "://"
                                + attempt.nodeIp() + ":" + attempt.nodePort() + " " + attempt.method());
                        attempt.setHeader("X-Try", Integer.toString(attempt.number()));
                    }

                    @Override
                    public void ended(UpstreamTry attempt) {
                        String late;
                        try {
                            attempt.setHeader("X-Too-Late", "1");
                            late = "late header taken";
                        } catch (IllegalStateException refused) {
                            late = "late header refused";
                        }
                        UpstreamTriesTest.EVENTS.add(path + " ended " + attempt.number() + " " + attempt.status() + " "
                                + attempt.failure() + ", " + late);
                    }
                });
                return PhaseResult.proceed();
            }
        };
    }
}
