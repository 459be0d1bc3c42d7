package io.tidegate.plugins.restrictions;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.IpRange;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.pf4j.Extension;

/**
 * APISIX's {@code ip-restriction} (priority 3000, access phase): a {@code whitelist} lets only the
 * listed addresses and CIDR blocks through, a {@code blacklist} refuses them; one of the two.
 * Refused: {@code response_code} (403, or 404) with {@code {"message": message}}. The address is
 * {@code $remote_addr}: the peer of the connection, or the client real-ip found behind it.
 */
@Extension
public final class IpRestrictionPlugin implements GatewayPlugin<IpRestrictionPlugin.Settings> {
    public record Settings(String message, int responseCode, List<String> whitelist, List<String> blacklist) {}

    @Override
    public String name() {
        return "ip-restriction";
    }

    @Override
    public int priority() {
        return 3000;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/ip-restriction.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        boolean allowList = config.whitelist() != null;
        List<IpRange> ranges = ranges(allowList ? "whitelist" : "blacklist", allowList ? config.whitelist() : config.blacklist());
        PhaseResult refusal = PhaseResult.respondMessage(config.responseCode(), "message", config.message());
        return new PluginInstance() {
            @Override
            public PhaseResult access(PluginContext context) {
                // the address itself, not $remote_addr's text: no string to build and parse per request
                boolean listed = contains(ranges, context.request().clientAddress());
                return listed == allowList ? PhaseResult.proceed() : refusal;
            }
        };
    }

    /** Whether one of {@code ranges} holds {@code address} (null: no address, never held). */
    static boolean contains(List<IpRange> ranges, InetAddress address) {
        if (address == null) {
            return false;
        }
        for (IpRange range : ranges) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    static List<IpRange> ranges(String field, List<String> texts) throws PluginConfigException {
        List<IpRange> ranges = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            try {
                ranges.add(IpRange.parse(texts.get(i)));
            } catch (IllegalArgumentException e) {
                throw new PluginConfigException(field + "[" + i + "]", "invalid ip address: " + texts.get(i));
            }
        }
        return List.copyOf(ranges);
    }
}
