package io.tidegate.source;

import io.tidegate.config.Resources;
import io.tidegate.config.Route;
import io.tidegate.config.Service;
import io.tidegate.config.PluginConfig;
import io.tidegate.config.Upstream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says, once per change, what became of etcd keys that do not serve as written: an invalid key
 * whose last good version serves, a route that answers 503 in its place, a key left out, a
 * resource that refers to one that is not there. A key that serves as written again is said too.
 */
final class EtcdKeyLog {
    private static final Logger log = LoggerFactory.getLogger(EtcdSource.class);

    /** What was said about each key that does not serve as written, as of the last report. */
    private final Map<String, List<Line>> said = new HashMap<>();
    /** The ids references could name at the last report; null before the first. */
    private Ids ids;

    /** One thing said about a key: an error (it is invalid) or a warning (it refers to something missing). */
    private record Line(boolean error, String text) {
        void write() {
            if (error) {
                log.error(text);
            } else {
                log.warn(text);
            }
        }
    }

    /** The upstream, service and plugin config ids that serve: what routes and services may refer to. */
    private record Ids(Set<String> upstreams, Set<String> services, Set<String> pluginConfigs) {
        static Ids of(Resources resources) {
            return new Ids(ids(resources.upstreams(), Upstream::id), ids(resources.services(), Service::id),
                    ids(resources.pluginConfigs(), PluginConfig::id));
        }
    }

    /**
     * Logs what changed about the {@code applied} choice and the resources it gave since the last
     * report. Only keys that {@code changed} (or had something said about them) are looked at again,
     * unless what references can name changed: then every key is. (Looking at all of 10,000 keys
     * on every change showed in a profile.)
     */
    void report(LastGoodVersions.Choice applied, Resources resources, Set<String> changed) {
        Ids now = Ids.of(resources);
        Set<String> keys = new HashSet<>(said.keySet());
        if (now.equals(ids)) {
            keys.addAll(changed);
        } else {
            applied.ladders().forEach(ladder -> keys.add(ladder.key));
        }
        ids = now;
        for (String key : keys) {
            LastGoodVersions.Ladder ladder = applied.ladder(key);
            List<Line> before = said.getOrDefault(key, List.of());
            List<Line> lines = ladder == null ? List.of() : lines(ladder, now);
            lines.stream().filter(line -> !before.contains(line)).forEach(Line::write);
            if (lines.isEmpty()) {
                said.remove(key);
                if (!before.isEmpty() && ladder != null) {
                    log.info("etcd key {} serves as written again", key);
                }
            } else {
                said.put(key, lines);
            }
        }
    }

    /** What there is to say about a key: that it is invalid, that it refers to something that is not there. */
    private List<Line> lines(LastGoodVersions.Ladder ladder, Ids ids) {
        List<Line> lines = new ArrayList<>(0);
        String invalid = invalid(ladder);
        if (invalid != null) {
            lines.add(new Line(true, invalid));
        }
        LastGoodVersions.Kind serving = ladder.serving();
        if (serving != null && serving != LastGoodVersions.Kind.MATCH_ONLY) {
            danglingReferences(ladder.key, ladder.record(), ids, lines);
        }
        return lines;
    }

    /** What an invalid key's state means, or null when it serves its current value. */
    private static String invalid(LastGoodVersions.Ladder ladder) {
        LastGoodVersions.Kind serving = ladder.serving();
        if (serving == LastGoodVersions.Kind.CURRENT) {
            return null;
        }
        String errors = String.join("; ", ladder.currentErrors() == null ? List.of("(no details)") : ladder.currentErrors());
        String key = "etcd key " + ladder.key + " is invalid";
        if (serving == LastGoodVersions.Kind.LAST_GOOD) {
            return key + "; its last good version keeps serving: " + errors;
        }
        String fallback = !ladder.hasLastGood ? " and has no good version to fall back to"
                : ladder.lastGoodErrors() == null ? ", and it is its last good version"
                : " and its last good version fails too (" + String.join("; ", ladder.lastGoodErrors()) + ")";
        return key + fallback + "; " + consequence(ladder.place.type(), serving) + ": " + errors;
    }

    private static String consequence(String type, LastGoodVersions.Kind serving) {
        if (serving == LastGoodVersions.Kind.MATCH_ONLY) {
            return "its route answers 503 until it is fixed";
        }
        return switch (type) {
            case "routes" -> "it is left out, since not even what it matches can be read";
            case "global_rules" -> "every route answers 503 until it is fixed";
            case "consumers" -> "it is left out, so its credentials authenticate nobody";
            case "upstreams" -> "it is left out, and routes and services that use it answer 502";
            case "services", "plugin_configs" -> "it is left out, and routes that use it answer 503";
            default -> "it is left out";
        };
    }

    /** For a route or service that names an upstream, service or plugin config that is not there: what that means. */
    private static void danglingReferences(String key, Object record, Ids ids, List<Line> lines) {
        if (record instanceof Route route) {
            if (route.upstream() == null && route.upstreamId() != null && !ids.upstreams().contains(route.upstreamId())) {
                lines.add(refers(key, "upstream", route.upstreamId(), "it answers 502 where it would proxy"));
            }
            if (route.serviceId() != null && !ids.services().contains(route.serviceId())) {
                lines.add(refers(key, "service", route.serviceId(), "it answers 503, since it cannot know the plugins to run"));
            }
            if (route.pluginConfigId() != null && !ids.pluginConfigs().contains(route.pluginConfigId())) {
                lines.add(refers(key, "plugin config", route.pluginConfigId(), "it answers 503, since it cannot know the plugins to run"));
            }
        } else if (record instanceof Service service) {
            if (service.upstream() == null && service.upstreamId() != null && !ids.upstreams().contains(service.upstreamId())) {
                lines.add(refers(key, "upstream", service.upstreamId(), "its routes answer 502 where they would proxy"));
            }
        }
    }

    private static Line refers(String key, String kind, String id, String consequence) {
        return new Line(false, "etcd key " + key + " refers to " + kind + " \"" + id + "\", which does not exist (or has no good version); "
                + consequence);
    }

    private static <T> Set<String> ids(List<T> items, Function<T, String> id) {
        return items.stream().map(id).collect(Collectors.toSet());
    }
}
