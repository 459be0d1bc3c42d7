package io.tidegate.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Reads the {@code tidegate:} section. Missing section: one listener on 0.0.0.0:9080. */
final class ServerSettingsReader {
    private static final Set<String> FIELDS = Set.of("threads", "listeners", "client_max_body_size", "timeout",
            "status", "plugins_dir", "plugin_grace", "resources_file", "ssl_trusted_certificate", "dns_refresh", "access_log",
            "metrics", "admin", "etcd", "limits", "shutdown_grace", "pid_file", "proxy_cache", "upgrade_sock", "plugin_attr");
    private static final Set<String> ACCESS_LOG_FIELDS = Set.of("path");
    private static final Set<String> LIMITS_FIELDS = Set.of("max_uri_length", "max_header_size", "max_headers",
            "header_timeout", "body_timeout", "keepalive_timeout", "max_connections", "max_connections_per_client",
            "h2_max_concurrent_streams", "escaped_slashes", "upstream_max_connections", "upstream_max_head_size",
            "upstream_max_headers");
    private static final Set<String> ETCD_FIELDS = Set.of("endpoints", "prefix", "user", "password", "timeout", "tls");
    private static final Set<String> ETCD_TLS_FIELDS = Set.of("verify", "ca_path", "cert_path", "key_path");
    private static final Set<String> ADMIN_FIELDS = Set.of("address", "api_key", "state_file", "read_only");
    private static final Set<String> LISTENER_FIELDS = Set.of("address", "tls", "offer_h2");
    private static final Set<String> LISTENER_TLS_FIELDS = Set.of("cert_path", "key_path");
    static final double DEFAULT_DNS_REFRESH = 30;
    static final double DEFAULT_PLUGIN_GRACE = 30;
    static final double DEFAULT_SHUTDOWN_GRACE = 30;
    private static final Set<String> STATUS_FIELDS = Set.of("address");
    private static final Set<String> METRICS_FIELDS = Set.of("address", "names");
    private static final Set<String> TIMEOUT_FIELDS = Set.of("connect", "send", "read");
    /** A CA bundle of a thousand certificates is well under a megabyte. */
    private static final ConfigFileReader PEM_FILES = new ConfigFileReader(4 << 20, ConfigFileReader.READ_DEADLINE);
    static final ListenerSettings DEFAULT_LISTENER = new ListenerSettings("0.0.0.0", 9080);

    private final Problems problems;
    private final java.nio.file.Path baseDir;

    /** @param baseDir where relative file paths in the section are resolved (the config file's folder) */
    ServerSettingsReader(Problems problems, java.nio.file.Path baseDir) {
        this.problems = problems;
        this.baseDir = baseDir;
    }

    private ServerSettings defaults(int cores) {
        return new ServerSettings(cores, List.of(DEFAULT_LISTENER), 0, Timeouts.DEFAULT, null,
                baseDir.resolve("plugins-dist").normalize().toString(), null,
                null, DEFAULT_DNS_REFRESH, DEFAULT_PLUGIN_GRACE, null, null, null, null, RequestLimits.DEFAULT, DEFAULT_SHUTDOWN_GRACE, null,
                io.tidegate.plugin.api.CacheZones.DEFAULT, null, java.util.Map.of());
    }

    ServerSettings read(JsonNode node) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (node == null || node.isNull()) {
            return defaults(cores);
        }
        Fields f = Fields.open(node, "tidegate", problems, FIELDS);
        if (f == null) {
            return defaults(cores);
        }
        int threads = f.integer("threads", cores, 1, 1024);
        List<ListenerSettings> listeners = listeners(f);
        long maxBody = byteSize(f, "client_max_body_size");
        Timeouts timeout = timeout(f);
        Fields s = f.object("status", STATUS_FIELDS);
        ListenerSettings status = s == null ? null : address(s, true);
        String pluginsDir = baseDir.resolve(f.string("plugins_dir", "plugins-dist", 1, 4096)).normalize().toString();
        double pluginGrace = f.seconds("plugin_grace", DEFAULT_PLUGIN_GRACE, true);
        String resourcesFile = f.string("resources_file", null, 1, 4096);
        String trustedCas = null;
        String caPath = f.string("ssl_trusted_certificate", null, 1, 4096);
        if (caPath != null) {
            trustedCas = readPem(f, "ssl_trusted_certificate", caPath);
        }
        double dnsRefresh = f.seconds("dns_refresh", DEFAULT_DNS_REFRESH, false);
        Fields a = f.object("access_log", ACCESS_LOG_FIELDS);
        String accessLogPath = a == null ? null : a.requiredString("path");
        String accessLog = accessLogPath == null ? null : baseDir.resolve(accessLogPath).normalize().toString();
        MetricsSettings metrics = metrics(f);
        EtcdSettings etcd = etcd(f);
        AdminSettings admin = admin(f);
        if (admin != null && admin.stateFile() != null && (etcd != null || f.has("etcd"))) {
            f.report("admin.state_file", "must not be set with tidegate.etcd (resources live in etcd)");
        }
        if (admin != null && !admin.readOnly() && !f.has("etcd") && resourcesFile != null) {
            f.report("resources_file", "must not be set when tidegate.admin runs without tidegate.etcd "
                    + "(the configuration is PUT to /apisix/admin/configs; with admin.read_only: true the resources come from the file)");
        }
        if (etcd != null && resourcesFile != null) {
            f.report("resources_file", "must not be set with tidegate.etcd (resources live in etcd)");
        }
        return new ServerSettings(threads, listeners, maxBody, timeout, status, pluginsDir, resourcesFile, trustedCas,
                dnsRefresh, pluginGrace, accessLog, metrics, etcd, admin, limits(f),
                f.seconds("shutdown_grace", DEFAULT_SHUTDOWN_GRACE, true), pidFile(f), new ProxyCacheReader(problems, baseDir).read(f),
                path(f, "upgrade_sock"), pluginAttributes(f));
    }

    /**
     * {@code plugin_attr}: each plugin's process-wide settings, an object per plugin name, checked
     * against the plugin's attribute schema when the plugins are known (at compile).
     */
    private static java.util.Map<String, JsonNode> pluginAttributes(Fields f) {
        JsonNode all = f.raw("plugin_attr");
        if (all == null || all.isNull()) {
            return java.util.Map.of();
        }
        if (!all.isObject()) {
            f.report("plugin_attr", "must be a mapping of plugin names to their settings");
            return java.util.Map.of();
        }
        java.util.Map<String, JsonNode> byPlugin = new java.util.LinkedHashMap<>();
        all.properties().forEach(entry -> {
            if (entry.getValue().isObject()) {
                byPlugin.put(entry.getKey(), entry.getValue());
            } else {
                f.report("plugin_attr." + entry.getKey(), "must be a mapping");
            }
        });
        return byPlugin;
    }

    /** {@code metrics: { address, names }}; names is {@code tidegate} (the default) or {@code apisix}. */
    private MetricsSettings metrics(Fields parent) {
        Fields m = parent.object("metrics", METRICS_FIELDS);
        if (m == null) {
            return null;
        }
        ListenerSettings listener = address(m, true);
        String names = m.string("names", "tidegate");
        MetricsSettings.Names chosen = MetricsSettings.Names.TIDEGATE;
        if ("apisix".equals(names)) {
            chosen = MetricsSettings.Names.APISIX;
        } else if (names != null && !"tidegate".equals(names)) {
            m.report("names", "must be \"tidegate\" (the gateway's own names, the default) or \"apisix\" (APISIX's)");
        }
        return listener == null ? null : new MetricsSettings(listener, chosen);
    }

    private String pidFile(Fields f) {
        return path(f, "pid_file");
    }

    /** A file path setting, relative ones taken from the configuration file's folder; null when not set. */
    private String path(Fields f, String field) {
        String path = f.string(field, null, 1, 4096);
        return path == null ? null : baseDir.resolve(path).normalize().toString();
    }

    private RequestLimits limits(Fields parent) {
        RequestLimits d = RequestLimits.DEFAULT;
        Fields f = parent.object("limits", LIMITS_FIELDS);
        if (f == null) {
            return d;
        }
        return new RequestLimits(
                (int) Math.min(Integer.MAX_VALUE, sizeOr(f, "max_uri_length", d.maxUriLength())),
                (int) Math.min(Integer.MAX_VALUE, sizeOr(f, "max_header_size", d.maxHeaderSize())),
                f.integer("max_headers", d.maxHeaders(), 1, 10_000),
                f.seconds("header_timeout", d.headerTimeout(), false),
                f.seconds("body_timeout", d.bodyTimeout(), true),
                f.seconds("keepalive_timeout", d.keepaliveTimeout(), false),
                f.integer("max_connections", d.maxConnections(), 0, Integer.MAX_VALUE),
                f.integer("max_connections_per_client", d.maxConnectionsPerClient(), 0, Integer.MAX_VALUE),
                f.integer("h2_max_concurrent_streams", d.h2MaxConcurrentStreams(), 1, 10_000),
                RequestLimits.EscapedSlashes.valueOf(f.oneOf("escaped_slashes", "decode", Set.of("decode", "reject", "keep"))
                        .toUpperCase(Locale.ROOT)),
                f.integer("upstream_max_connections", d.upstreamMaxConnections(), 1, 1_000_000),
                (int) Math.min(16 * 1024 * 1024, sizeOr(f, "upstream_max_head_size", d.upstreamMaxHeadSize())),
                f.integer("upstream_max_headers", d.upstreamMaxHeaders(), 1, 10_000));
    }

    private long sizeOr(Fields f, String field, long fallback) {
        long value = f.has(field) ? byteSize(f, field) : fallback;
        if (value < 256) {
            f.report(field, "must be at least 256 bytes");
            return fallback;
        }
        return value;
    }

    private EtcdSettings etcd(Fields parent) {
        Fields f = parent.object("etcd", ETCD_FIELDS);
        if (f == null) {
            return null;
        }
        List<String> endpoints = f.nonEmptyUniqueStrings("endpoints");
        if (!f.has("endpoints")) {
            f.report("endpoints", "is required");
        }
        boolean secure = !endpoints.isEmpty() && endpoints.get(0).startsWith("https://");
        for (int i = 0; i < endpoints.size(); i++) {
            String endpoint = endpoints.get(i);
            if (!endpoint.matches("https?://[^/\\s]+:[0-9]{1,5}/?")) {
                problems.add(Problems.index(f.path("endpoints"), i), "must be http://host:port or https://host:port");
            } else if (endpoint.startsWith("https://") != secure) {
                problems.add(Problems.index(f.path("endpoints"), i), "must use the same scheme as endpoints[0]");
            }
        }
        EtcdSettings.Tls tls = etcdTls(f, secure);
        String prefix = f.string("prefix", "/apisix", 1, 256);
        if (prefix != null && (!prefix.startsWith("/") || prefix.endsWith("/"))) {
            f.report("prefix", "must start with / and not end with it");
        }
        String user = f.string("user", null, 1, 256);
        String password = f.string("password", null, 0, 256);
        if ((user == null) != (password == null)) {
            problems.add(f.path(), "user and password must be given together");
        }
        double timeout = f.seconds("timeout", 30.0, false);
        return new EtcdSettings(endpoints, prefix, user, password, timeout, tls);
    }

    /** TLS for https endpoints: verified against the JVM's CAs unless {@code tls} says otherwise. */
    private EtcdSettings.Tls etcdTls(Fields etcd, boolean secure) {
        if (!etcd.has("tls")) {
            return secure ? new EtcdSettings.Tls(true, null, null, null) : null;
        }
        if (!secure) {
            etcd.report("tls", "needs https:// endpoints");
            return null;
        }
        Fields t = etcd.object("tls", ETCD_TLS_FIELDS);
        if (t == null) {
            return null;
        }
        boolean verify = t.bool("verify", true);
        String ca = t.string("ca_path", null);
        String cert = t.string("cert_path", null);
        String key = t.string("key_path", null);
        if ((cert == null) != (key == null)) {
            problems.add(t.path(), "cert_path and key_path must be given together");
        }
        return new EtcdSettings.Tls(verify, ca == null ? null : readPem(t, "ca_path", ca),
                cert == null ? null : readPem(t, "cert_path", cert), key == null ? null : readPem(t, "key_path", key));
    }

    private AdminSettings admin(Fields parent) {
        Fields f = parent.object("admin", ADMIN_FIELDS);
        if (f == null) {
            return null;
        }
        ListenerSettings address = f.has("address") ? address(f, true) : AdminSettings.DEFAULT_ADDRESS;
        String key = f.requiredString("api_key");
        if (key != null && key.length() < 8) {
            f.report("api_key", "must be at least 8 characters");
        }
        String stateFile = f.string("state_file", null, 1, 4096);
        boolean readOnly = f.bool("read_only", false);
        if (readOnly && stateFile != null) {
            f.report("state_file", "must not be set with read_only (nothing is written)");
        }
        return new AdminSettings(address, key, stateFile == null ? null : baseDir.resolve(stateFile).normalize().toString(), readOnly);
    }

    /**
     * Reads a PEM file named in the config, checking that it parses, so a bad file fails at load.
     * Read as the configuration file is (a regular file of bounded size), so a path such as
     * {@code /dev/zero} fails with a message instead of exhausting memory.
     */
    private String readPem(Fields f, String field, String path) {
        java.nio.file.Path file = baseDir.resolve(path);
        try {
            String text = PEM_FILES.read(file);
            if (field.endsWith("key_path")) {
                io.tidegate.tls.Pem.privateKey(text);
            } else {
                io.tidegate.tls.Pem.certificates(text);
            }
            return text;
        } catch (ConfigFileReader.UnreadableFileException e) {
            f.report(field, "cannot read " + file + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            f.report(field, file + ": " + e.getMessage());
        }
        return null;
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
            ListenerSettings address = address(l, true);
            ListenerTls tls = null;
            Fields t = l.object("tls", LISTENER_TLS_FIELDS);
            if (t != null) {
                String cert = t.requiredString("cert_path");
                String key = t.requiredString("key_path");
                String certPem = cert == null ? null : readPem(t, "cert_path", cert);
                String keyPem = key == null ? null : readPem(t, "key_path", key);
                if (certPem != null && keyPem != null && !ListenerCertificates.belongTogether(
                        io.tidegate.tls.Pem.certificates(certPem).get(0), io.tidegate.tls.Pem.privateKey(keyPem))) {
                    t.report("key_path", "is not the key of cert_path's certificate");
                    keyPem = null;
                }
                tls = certPem == null || keyPem == null ? null
                        : new ListenerTls(certPem, keyPem, baseDir.resolve(cert).normalize(), baseDir.resolve(key).normalize());
            }
            boolean offerH2 = l.bool("offer_h2", false);
            if (address != null) {
                out.add(new ListenerSettings(address.host(), address.port(), tls, offerH2));
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
        Fields t = f.object("timeout", TIMEOUT_FIELDS);
        if (t == null) {
            return Timeouts.DEFAULT;
        }
        Timeouts d = Timeouts.DEFAULT;
        return new Timeouts(t.seconds("connect", d.connect(), false), t.seconds("send", d.send(), false),
                t.seconds("read", d.read(), false));
    }

    /** A size in bytes, as an integer or with a k/m/g suffix as nginx writes it ({@code 10m}). */
    static long byteSize(Fields f, String field) {
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
