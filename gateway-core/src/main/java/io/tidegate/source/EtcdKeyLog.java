package io.tidegate.source;

import io.tidegate.config.Resources;
import io.tidegate.config.Route;
import io.tidegate.config.Service;
import io.tidegate.config.PluginConfig;
import io.tidegate.config.Upstream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

    private final KeyedResources keyed;
    private Map<String, List<Line>> said = Map.of();

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

    EtcdKeyLog(KeyedResources keyed) {
        this.keyed = keyed;
    }

    /** Logs what changed since the last report about the {@code applied} choice and the resources it gave. */
    void report(LastGoodVersions.Choice applied, Resources resources) {
        Map<String, List<Line>> now = new LinkedHashMap<>();
        for (LastGoodVersions.Ladder ladder : applied.ladders()) {
            String invalid = invalid(ladder);
            if (invalid != null) {
                now.computeIfAbsent(ladder.key, k -> new ArrayList<>()).add(new Line(true, invalid));
            }
        }
        danglingReferences(resources).forEach((key, lines) -> now.computeIfAbsent(key, k -> new ArrayList<>()).addAll(lines));
        now.forEach((key, lines) -> {
            List<Line> before = said.getOrDefault(key, List.of());
            lines.stream().filter(line -> !before.contains(line)).forEach(Line::write);
        });
        Set<String> present = new HashSet<>();
        applied.ladders().forEach(ladder -> present.add(ladder.key));
        said.keySet().stream().filter(key -> !now.containsKey(key) && present.contains(key))
                .forEach(key -> log.info("etcd key {} serves as written again", key));
        said = now;
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

    /** Routes and services that name an upstream, service or plugin config that is not there, by key. */
    private Map<String, List<Line>> danglingReferences(Resources resources) {
        Set<String> upstreams = ids(resources.upstreams(), Upstream::id);
        Set<String> services = ids(resources.services(), Service::id);
        Set<String> pluginConfigs = ids(resources.pluginConfigs(), PluginConfig::id);
        Map<String, List<Line>> out = new LinkedHashMap<>();
        for (Route route : resources.routes()) {
            if (resources.unservable().routes().contains(route.id())) {
                continue;
            }
            String key = keyed.key("routes", route.id());
            if (route.upstream() == null && route.upstreamId() != null && !upstreams.contains(route.upstreamId())) {
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(refers(key, "upstream", route.upstreamId(),
                        "it answers 502 where it would proxy"));
            }
            if (route.serviceId() != null && !services.contains(route.serviceId())) {
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(refers(key, "service", route.serviceId(),
                        "it answers 503, since it cannot know the plugins to run"));
            }
            if (route.pluginConfigId() != null && !pluginConfigs.contains(route.pluginConfigId())) {
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(refers(key, "plugin config", route.pluginConfigId(),
                        "it answers 503, since it cannot know the plugins to run"));
            }
        }
        for (Service service : resources.services()) {
            if (service.upstream() == null && service.upstreamId() != null && !upstreams.contains(service.upstreamId())) {
                String key = keyed.key("services", service.id());
                out.computeIfAbsent(key, k -> new ArrayList<>()).add(refers(key, "upstream", service.upstreamId(),
                        "its routes answer 502 where they would proxy"));
            }
        }
        return out;
    }

    private static Line refers(String key, String kind, String id, String consequence) {
        return new Line(false, "etcd key " + key + " refers to " + kind + " \"" + id + "\", which does not exist (or has no good version); "
                + consequence);
    }

    private static <T> Set<String> ids(List<T> items, Function<T, String> id) {
        return items.stream().map(id).collect(Collectors.toSet());
    }
}
