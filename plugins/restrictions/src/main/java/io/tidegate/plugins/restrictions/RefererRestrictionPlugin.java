package io.tidegate.plugins.restrictions;

import io.tidegate.plugin.api.ConfigSchema;
import io.tidegate.plugin.api.GatewayPlugin;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginConfigException;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.PluginServices;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;

/**
 * APISIX's {@code referer-restriction} (priority 2990, access phase): the host of the
 * {@code Referer} URL against a {@code whitelist} or {@code blacklist} of hosts, {@code *.example.com}
 * matching any host that ends in {@code .example.com}. No Referer, or one that is no URL with a
 * host, is refused unless {@code bypass_missing}. Refused: 403 {@code {"message": message}}.
 */
@Extension
public final class RefererRestrictionPlugin implements GatewayPlugin<RefererRestrictionPlugin.Settings> {
    public record Settings(boolean bypassMissing, List<String> whitelist, List<String> blacklist, String message) {}

    @Override
    public String name() {
        return "referer-restriction";
    }

    @Override
    public int priority() {
        return 2990;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/referer-restriction.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) {
        boolean allow = config.whitelist() != null;
        List<String> hosts = allow ? config.whitelist() : config.blacklist();
        Set<String> exact = Set.copyOf(hosts.stream().filter(h -> !h.startsWith("*")).toList());
        List<String> suffixes = hosts.stream().filter(h -> h.startsWith("*")).map(h -> h.substring(1)).toList();
        PhaseResult refusal = PhaseResult.respondMessage(403, "message", config.message());
        boolean bypassMissing = config.bypassMissing();
        return new PluginInstance() {
            @Override
            public PhaseResult access(PluginContext context) {
                String host = host(context.request().header("Referer"));
                if (host == null) {
                    return bypassMissing ? PhaseResult.proceed() : refusal;
                }
                boolean listed = exact.contains(host) || suffixes.stream().anyMatch(host::endsWith);
                return listed == allow ? PhaseResult.proceed() : refusal;
            }
        };
    }

    /** The host of an http(s) URL, or null when the text is not one. */
    static String host(String referer) {
        if (referer == null) {
            return null;
        }
        try {
            String text = referer.strip();
            URI uri = new URI(text);
            String scheme = uri.getScheme();
            boolean schemeLess = scheme == null && text.startsWith("//");  // as lua-resty-http's parse_uri takes it
            if (!schemeLess && (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")))) {
                return null;
            }
            return uri.getHost();
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }
}
