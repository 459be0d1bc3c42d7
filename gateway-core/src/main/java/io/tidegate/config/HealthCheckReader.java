package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/** Reads an upstream's {@code checks} against APISIX's schema, filling in its defaults. */
final class HealthCheckReader {
    private static final Set<String> CHECKS_FIELDS = Set.of("active", "passive");
    private static final Set<String> ACTIVE_FIELDS = Set.of("type", "timeout", "concurrency", "http_path", "host",
            "port", "https_verify_certificate", "req_headers", "healthy", "unhealthy", "grpc_service");
    private static final Set<String> PASSIVE_FIELDS = Set.of("type", "healthy", "unhealthy");
    private static final Set<String> ACTIVE_HEALTHY = Set.of("interval", "http_statuses", "successes");
    private static final Set<String> ACTIVE_UNHEALTHY = Set.of("interval", "http_statuses", "http_failures",
            "tcp_failures", "timeouts");
    private static final Set<String> PASSIVE_HEALTHY = Set.of("http_statuses", "successes");
    private static final Set<String> PASSIVE_UNHEALTHY = Set.of("http_statuses", "http_failures", "tcp_failures",
            "timeouts");
    private static final Set<String> TYPES = ResourceReader.orderedSet("http", "https", "tcp");
    /** Active checks also speak gRPC's health service (a Tidegate addition). */
    private static final Set<String> ACTIVE_TYPES = ResourceReader.orderedSet("http", "https", "tcp", "grpc", "grpcs");

    private static final List<Integer> ACTIVE_HEALTHY_STATUSES = List.of(200, 302);
    private static final List<Integer> ACTIVE_UNHEALTHY_STATUSES = List.of(429, 404, 500, 501, 502, 503, 504, 505);
    private static final List<Integer> PASSIVE_HEALTHY_STATUSES = passiveHealthyStatuses();
    private static final List<Integer> PASSIVE_UNHEALTHY_STATUSES = List.of(429, 500, 503);
    private static final int MAX_COUNT = 254;

    private final Problems problems;

    HealthCheckReader(Problems problems) {
        this.problems = problems;
    }

    /** @return null when {@code checks} is absent or unusable (the problem is reported) */
    HealthChecks read(Fields upstream) {
        Fields f = upstream.object("checks", CHECKS_FIELDS);
        if (f == null) {
            return null;
        }
        if (!f.has("active")) {
            problems.add(f.path(), f.has("passive") ? "active is required when passive is present" : "active is required");
            return null;
        }
        HealthChecks.Active active = active(f);
        HealthChecks.Passive passive = f.has("passive") ? passive(f) : null;
        return active == null ? null : new HealthChecks(active, passive);
    }

    private HealthChecks.Active active(Fields checks) {
        Fields f = checks.object("active", ACTIVE_FIELDS);
        if (f == null) {
            return null;
        }
        String type = f.oneOf("type", "http", ACTIVE_TYPES);
        Double timeout = f.seconds("timeout", 1.0, false);
        Integer concurrency = f.integer("concurrency", 10, 1, 1000);
        String path = f.string("http_path", "/");
        if (path != null && !path.startsWith("/")) {
            f.report("http_path", "must start with /");
        }
        String host = f.string("host", null, 1, 255);
        Integer port = f.integer("port", null, 1, 65535);
        Boolean verify = f.bool("https_verify_certificate", true);
        List<String> headers = f.stringList("req_headers");
        String grpcService = f.string("grpc_service", "", 0, 256);
        for (int i = 0; i < headers.size(); i++) {
            String header = headers.get(i);
            int colon = header.indexOf(':');
            if (colon < 1 || header.indexOf('\r') >= 0 || header.indexOf('\n') >= 0) {
                problems.add(Problems.index(f.path("req_headers"), i), "must be \"Name: value\" on one line");
            }
        }
        Fields healthy = f.object("healthy", ACTIVE_HEALTHY);
        Fields unhealthy = f.object("unhealthy", ACTIVE_UNHEALTHY);
        double healthyInterval = interval(healthy);
        double unhealthyInterval = interval(unhealthy);
        HealthChecks.Thresholds thresholds = new HealthChecks.Thresholds(
                statuses(healthy, ACTIVE_HEALTHY_STATUSES), count(healthy, "successes", 2, 1),
                statuses(unhealthy, ACTIVE_UNHEALTHY_STATUSES), count(unhealthy, "http_failures", 5, 1),
                count(unhealthy, "tcp_failures", 2, 1), count(unhealthy, "timeouts", 3, 1));
        return new HealthChecks.Active(type, timeout == null ? 1 : timeout, concurrency == null ? 10 : concurrency,
                path == null ? "/" : path, host, port, verify == null || verify, headers, healthyInterval,
                unhealthyInterval, thresholds, grpcService == null ? "" : grpcService);
    }

    private HealthChecks.Passive passive(Fields checks) {
        Fields f = checks.object("passive", PASSIVE_FIELDS);
        if (f == null) {
            return null;
        }
        String type = f.oneOf("type", "http", TYPES);
        Fields healthy = f.object("healthy", PASSIVE_HEALTHY);
        Fields unhealthy = f.object("unhealthy", PASSIVE_UNHEALTHY);
        return new HealthChecks.Passive(type, new HealthChecks.Thresholds(
                statuses(healthy, PASSIVE_HEALTHY_STATUSES), count(healthy, "successes", 5, 0),
                statuses(unhealthy, PASSIVE_UNHEALTHY_STATUSES), count(unhealthy, "http_failures", 5, 0),
                count(unhealthy, "tcp_failures", 2, 0), count(unhealthy, "timeouts", 7, 0)));
    }

    private static double interval(Fields section) {
        Double value = section == null ? null : section.seconds("interval", 1.0, false);
        return value == null ? 1.0 : value;
    }

    private static int count(Fields section, String field, int fallback, int min) {
        Integer value = section == null ? null : section.integer(field, fallback, min, MAX_COUNT);
        return value == null ? fallback : value;
    }

    private List<Integer> statuses(Fields section, List<Integer> fallback) {
        if (section == null || !section.has("http_statuses")) {
            return fallback;
        }
        JsonNode value = section.raw("http_statuses");
        String path = section.path("http_statuses");
        if (!value.isArray() || value.isEmpty()) {
            problems.add(path, "must be a non-empty array of status codes");
            return fallback;
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isIntegralNumber() || item.intValue() < 200 || item.intValue() > 599) {
                problems.add(Problems.index(path, i), "must be an integer from 200 to 599");
            } else if (!out.add(item.intValue())) {
                problems.add(Problems.index(path, i), "duplicate status " + item.intValue());
            }
        }
        return List.copyOf(out);
    }

    private static List<Integer> passiveHealthyStatuses() {
        List<Integer> out = new ArrayList<>();
        IntStream.rangeClosed(200, 208).forEach(out::add);
        out.add(226);
        IntStream.rangeClosed(300, 308).forEach(out::add);
        return List.copyOf(out);
    }
}
