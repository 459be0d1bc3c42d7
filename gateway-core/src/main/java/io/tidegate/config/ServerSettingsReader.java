package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Reads the {@code tidegate:} section. Missing section: one listener on 0.0.0.0:9080. */
final class ServerSettingsReader {
    private static final Set<String> FIELDS = Set.of("threads", "listeners", "client_max_body_size", "timeout",
            "status", "plugins_dir", "resources_file", "admin", "etcd");
    private static final Set<String> LISTENER_FIELDS = Set.of("address", "tls", "offer_h2");
    private static final Set<String> STATUS_FIELDS = Set.of("address");
    private static final Set<String> TIMEOUT_FIELDS = Set.of("connect", "send", "read");
    static final ListenerSettings DEFAULT_LISTENER = new ListenerSettings("0.0.0.0", 9080);

    private final Problems problems;

    ServerSettingsReader(Problems problems) {
        this.problems = problems;
    }

    ServerSettings read(JsonNode node) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (node == null || node.isNull()) {
            return new ServerSettings(cores, List.of(DEFAULT_LISTENER), 0, Timeouts.DEFAULT, null, "plugins-dist", null);
        }
        Fields f = Fields.open(node, "tidegate", problems, FIELDS);
        if (f == null) {
            return new ServerSettings(cores, List.of(DEFAULT_LISTENER), 0, Timeouts.DEFAULT, null, "plugins-dist", null);
        }
        for (String later : List.of("admin", "etcd")) {
            if (f.has(later)) {
                f.report(later, "is not supported yet");
            }
        }
        int threads = f.integer("threads", cores, 1, 1024);
        List<ListenerSettings> listeners = listeners(f);
        long maxBody = byteSize(f, "client_max_body_size");
        Timeouts timeout = timeout(f);
        ListenerSettings status = null;
        if (f.has("status")) {
            Fields s = Fields.open(f.raw("status"), f.path("status"), problems, STATUS_FIELDS);
            status = s == null ? null : address(s, true);
        }
        String pluginsDir = f.string("plugins_dir", "plugins-dist", 1, 4096);
        String resourcesFile = f.string("resources_file", null, 1, 4096);
        return new ServerSettings(threads, listeners, maxBody, timeout, status, pluginsDir, resourcesFile);
    }

    private List<ListenerSettings> listeners(Fields f) {
        JsonNode list = f.raw("listeners");
        if (list == null) {
            return List.of(DEFAULT_LISTENER);
        }
        if (!list.isArray() || list.isEmpty()) {
            f.report("listeners", "must be a non-empty list");
            return List.of();
        }
        List<ListenerSettings> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Fields l = Fields.open(list.get(i), Problems.index(f.path("listeners"), i), problems, LISTENER_FIELDS);
            if (l == null) {
                continue;
            }
            for (String later : List.of("tls", "offer_h2")) {
                if (l.has(later)) {
                    l.report(later, "is not supported yet");
                }
            }
            ListenerSettings listener = address(l, true);
            if (listener != null) {
                out.add(listener);
            }
        }
        return List.copyOf(out);
    }

    private ListenerSettings address(Fields f, boolean required) {
        String text = required ? f.requiredString("address") : f.string("address", null);
        if (text == null) {
            return null;
        }
        HostPort hostPort = HostPort.parse(text, -1);
        if (hostPort == null || hostPort.port() < 0) {
            f.report("address", "must be host:port (IPv6 as [addr]:port), port 0-65535");
            return null;
        }
        return new ListenerSettings(hostPort.host(), hostPort.port());
    }

    private Timeouts timeout(Fields f) {
        if (!f.has("timeout")) {
            return Timeouts.DEFAULT;
        }
        Fields t = Fields.open(f.raw("timeout"), f.path("timeout"), problems, TIMEOUT_FIELDS);
        if (t == null) {
            return Timeouts.DEFAULT;
        }
        Timeouts d = Timeouts.DEFAULT;
        return new Timeouts(t.seconds("connect", d.connect(), false), t.seconds("send", d.send(), false),
                t.seconds("read", d.read(), false));
    }

    /** A size in bytes, as an integer or with a k/m/g suffix as nginx writes it ({@code 10m}). */
    private long byteSize(Fields f, String field) {
        JsonNode value = f.raw(field);
        if (value == null) {
            return 0;
        }
        if (value.isIntegralNumber() && value.longValue() >= 0) {
            return value.longValue();
        }
        if (value.isTextual()) {
            String text = value.textValue().trim().toLowerCase(Locale.ROOT);
            long unit = 1;
            if (!text.isEmpty() && "kmg".indexOf(text.charAt(text.length() - 1)) >= 0) {
                unit = switch (text.charAt(text.length() - 1)) {
                    case 'k' -> 1L << 10;
                    case 'm' -> 1L << 20;
                    default -> 1L << 30;
                };
                text = text.substring(0, text.length() - 1);
            }
            try {
                long n = Long.parseLong(text);
                if (n >= 0) {
                    return Math.multiplyExact(n, unit);
                }
            } catch (NumberFormatException | ArithmeticException e) {
                // reported below
            }
        }
        f.report(field, "must be a size in bytes >= 0, optionally with a k, m or g suffix (0 = unlimited)");
        return 0;
    }
}
