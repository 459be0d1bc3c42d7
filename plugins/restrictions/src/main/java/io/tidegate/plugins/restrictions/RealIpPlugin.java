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
import java.net.InetSocketAddress;
import java.util.List;
import org.pf4j.Extension;

/**
 * APISIX's {@code real-ip} (priority 23000, rewrite phase, so before any other plugin of the
 * route): takes the client's address from {@code source} (a variable; {@code http_x_forwarded_for}
 * means the last entry of the last X-Forwarded-For header) when the peer is one of
 * {@code trusted_addresses} (or always, without them), and makes it the client's address for the
 * rest of the request. A value that is no IP literal, or has a port outside 1-65535, is ignored:
 * real-ip never refuses a request and never resolves a name.
 */
@Extension
public final class RealIpPlugin implements GatewayPlugin<RealIpPlugin.Settings> {
    public record Settings(String source, List<String> trustedAddresses, boolean recursive) {}

    @Override
    public String name() {
        return "real-ip";
    }

    @Override
    public int priority() {
        return 23000;
    }

    @Override
    public ConfigSchema<Settings> configSchema() {
        return ConfigSchema.resource(Settings.class, "/schema/real-ip.json");
    }

    @Override
    public PluginInstance create(Settings config, PluginServices services) throws PluginConfigException {
        List<IpRange> trusted = config.trustedAddresses() == null ? null
                : IpRestrictionPlugin.ranges("trusted_addresses", config.trustedAddresses());
        boolean forwardedFor = config.source().equals("http_x_forwarded_for");
        boolean recursive = config.recursive() && trusted != null;
        return new PluginInstance() {
            @Override
            public PhaseResult rewrite(PluginContext context) {
                if (trusted != null && !IpRestrictionPlugin.contains(trusted, IpRange.parseLiteral(context.var("remote_addr")))) {
                    return PhaseResult.proceed();
                }
                String value = forwardedFor ? fromForwardedFor(context.request().headers("X-Forwarded-For"), recursive ? trusted : null)
                        : context.var(config.source());
                InetSocketAddress address = value == null ? null : parse(value.strip(), context);
                if (address != null) {
                    context.setClientAddress(address);
                }
                return PhaseResult.proceed();
            }
        };
    }

    /**
     * The last entry of the last X-Forwarded-For header; with {@code trusted}, the last entry that
     * is not a trusted proxy, or the first entry when all are.
     */
    static String fromForwardedFor(List<String> headers, List<IpRange> trusted) {
        if (headers == null || headers.isEmpty()) {
            return null;
        }
        String[] entries = headers.get(headers.size() - 1).split(",");
        if (trusted == null) {
            return entries[entries.length - 1].strip();
        }
        for (int i = entries.length - 1; i > 0; i--) {
            String entry = entries[i].strip();
            if (!IpRestrictionPlugin.contains(trusted, IpRange.parseLiteral(entry))) {
                return entry;
            }
        }
        return entries[0].strip();
    }

    /** {@code ip}, {@code ip:port}, {@code v6}, {@code [v6]} or {@code [v6]:port}; null when none of them. */
    static InetSocketAddress parse(String text, PluginContext context) {
        String host = text;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return null;
                }
                port = rest.substring(1);
            }
        } else if (text.indexOf(':') == text.lastIndexOf(':') && text.indexOf(':') > 0) {
            host = text.substring(0, text.indexOf(':'));
            port = text.substring(text.indexOf(':') + 1);
        }
        InetAddress ip = IpRange.parseLiteral(host);
        if (ip == null) {
            return null;
        }
        int number;
        if (port == null) {
            String current = context.var("remote_port");
            number = current == null ? 0 : Integer.parseInt(current);
        } else {
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
                return null;
            }
            number = Integer.parseInt(port);
            if (number < 1 || number > 65535) {
                return null;
            }
        }
        return new InetSocketAddress(ip, number);
    }
}
