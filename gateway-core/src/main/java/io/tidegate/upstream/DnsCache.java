package io.tidegate.upstream;

import io.tidegate.plugin.api.IpRange;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream host names and the addresses they resolved to. Resolution happens when a snapshot is
 * compiled and when {@link #refresh} runs on its schedule, never on an IO thread. A name that stops
 * resolving keeps its last addresses (logged), so a DNS outage does not empty an upstream.
 */
public final class DnsCache {
    private static final Logger log = LoggerFactory.getLogger(DnsCache.class);

    private final Function<String, List<String>> resolver;
    private final Map<String, List<String>> addresses = new ConcurrentHashMap<>();

    public DnsCache() {
        this(DnsCache::lookup);
    }

    /** @param resolver name to addresses; throws {@link IllegalStateException} when it cannot resolve */
    public DnsCache(Function<String, List<String>> resolver) {
        this.resolver = resolver;
    }

    /**
     * A cache for a trial compile: it answers from this cache's addresses where it has them and
     * resolves other names itself, without adding them here (so they are not refreshed forever).
     */
    public DnsCache lookingUpOnly() {
        return new DnsCache(host -> {
            List<String> known = addresses.get(host);
            return known != null ? known : resolver.apply(host);
        });
    }

    /** Addresses of a host: itself for an IP literal; cached, else resolved now. Empty when unknown. */
    public List<String> addresses(String host) {
        if (IpRange.parseLiteral(host) != null) {
            return List.of(host);
        }
        List<String> known = addresses.get(host);
        if (known != null) {
            return known;
        }
        try {
            List<String> resolved = resolver.apply(host);
            addresses.put(host, resolved);
            return resolved;
        } catch (IllegalStateException e) {
            log.error("upstream host {} does not resolve ({}); its node is left out until it does", host, e.getMessage());
            addresses.put(host, List.of());
            return List.of();
        }
    }

    /** Re-resolves every known name; true when any name's addresses changed. */
    public boolean refresh() {
        boolean changed = false;
        for (Map.Entry<String, List<String>> entry : addresses.entrySet()) {
            String host = entry.getKey();
            try {
                List<String> fresh = resolver.apply(host);
                if (!fresh.equals(entry.getValue())) {
                    log.info("upstream host {} now resolves to {} (was {})", host, fresh, entry.getValue());
                    addresses.put(host, fresh);
                    changed = true;
                }
            } catch (IllegalStateException e) {
                if (!entry.getValue().isEmpty()) {
                    log.warn("upstream host {} no longer resolves ({}); keeping {}", host, e.getMessage(), entry.getValue());
                }
            }
        }
        return changed;
    }

    private static List<String> lookup(String host) {
        try {
            return Arrays.stream(InetAddress.getAllByName(host)).map(InetAddress::getHostAddress).sorted().distinct().toList();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
