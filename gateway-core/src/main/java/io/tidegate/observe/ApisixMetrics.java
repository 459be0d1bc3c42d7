package io.tidegate.observe;

import io.tidegate.http.ExchangeFacts;
import io.tidegate.route.RoutePattern;
import io.tidegate.source.WatchedKeys;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.StatusCodes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * APISIX's Prometheus series ({@code apisix_*}, as its prometheus plugin names and labels them),
 * so that dashboards made for APISIX read the gateway unchanged. Written in the text format here
 * rather than through Micrometer, whose naming would append {@code _total} to
 * {@code apisix_http_status} and turn milliseconds into seconds.
 *
 * <p>Labels come from configuration and status codes only: the route and service ids, the
 * consumer's configured name, the node's IP, and the route's configured uri and host patterns
 * (never the request's path or Host). Series are created on first use and kept, each looked up
 * once per request.
 */
final class ApisixMetrics {
    /** APISIX's default latency buckets, in milliseconds (1 ms to 60 s). */
    static final double[] BUCKETS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000};
    private static final String[] LE = new String[BUCKETS_MS.length + 1];
    /** Label values APISIX adds for its AI plugins; a proxied HTTP request carries these. */
    private static final String AI_LABELS = ",request_type=\"traditional_http\",request_llm_model=\"\",llm_model=\"\"";

    static {
        for (int i = 0; i < BUCKETS_MS.length; i++) {
            LE[i] = number(BUCKETS_MS[i]);
        }
        LE[BUCKETS_MS.length] = "+Inf";
    }

    private final Map<SeriesKey, Series> series = new ConcurrentHashMap<>();
    private final String version;
    private volatile String hostname;
    private volatile Supplier<ClientCounts> clients;
    private volatile List<GatewayMetrics.CheckedNode> checked = List.of();
    private volatile Supplier<WatchedKeys.View> etcd;
    private volatile String etcdPrefix = "/apisix";

    ApisixMetrics(String version) {
        this.version = version;
    }

    /** Route, service, consumer and node (its address as the balancer reports it, {@code host:port}). */
    private record SeriesKey(String route, String service, String consumer, String node) {}

    /** A histogram on {@link #BUCKETS_MS}: counts per bucket (not cumulative) and the sum. */
    static final class Histogram {
        final LongAdder[] counts = new LongAdder[BUCKETS_MS.length + 1];
        final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double ms) {
            int i = 0;
            while (i < BUCKETS_MS.length && ms > BUCKETS_MS[i]) {
                i++;
            }
            counts[i].increment();
            sum.add(ms);
        }
    }

    /** Everything one route/service/consumer/node combination counts. */
    private static final class Series {
        final Histogram request = new Histogram();
        final Histogram upstream = new Histogram();
        final Histogram apisix = new Histogram();
        final LongAdder ingress = new LongAdder();
        final LongAdder egress = new LongAdder();
        /** By matched patterns, then by status code. */
        final Map<RoutePattern, StatusCounts> statuses = new ConcurrentHashMap<>();

        LongAdder status(RoutePattern pattern, int code) {
            StatusCounts codes = statuses.get(pattern);
            if (codes == null) {
                codes = statuses.computeIfAbsent(pattern, p -> new StatusCounts());
            }
            return codes.of(code);
        }
    }

    /**
     * Counts by status code: the few codes a series sees, in arrays scanned per request (no boxing,
     * no hashing) and copied when a code is first seen.
     */
    static final class StatusCounts {
        private volatile int[] codes = new int[0];
        private volatile LongAdder[] counts = new LongAdder[0];

        LongAdder of(int code) {
            int[] known = codes;
            LongAdder[] adders = counts;
            for (int i = 0; i < known.length && i < adders.length; i++) {
                if (known[i] == code) {
                    return adders[i];
                }
            }
            return add(code);
        }

        private synchronized LongAdder add(int code) {
            for (int i = 0; i < codes.length; i++) {
                if (codes[i] == code) {
                    return counts[i];
                }
            }
            LongAdder[] more = java.util.Arrays.copyOf(counts, counts.length + 1);
            more[counts.length] = new LongAdder();
            int[] moreCodes = java.util.Arrays.copyOf(codes, codes.length + 1);
            moreCodes[codes.length] = code;
            counts = more;  // counts before codes: a reader that sees a code sees its counter
            codes = moreCodes;
            return more[more.length - 1];
        }

        void forEach(java.util.function.ObjIntConsumer<LongAdder> action) {
            int[] known = codes;
            LongAdder[] adders = counts;
            for (int i = 0; i < known.length; i++) {
                action.accept(adders[i], known[i]);
            }
        }
    }

    /** One finished exchange, as APISIX's log phase sees it. {@code upstreamNanos} is negative when no upstream answered. */
    void record(HttpServerExchange exchange, long totalNanos, long upstreamNanos) {
        SeriesKey key = new SeriesKey(orEmpty(exchange.getAttachment(ExchangeFacts.ROUTE_ID)),
                orEmpty(exchange.getAttachment(ExchangeFacts.SERVICE_ID)), orEmpty(exchange.getAttachment(ExchangeFacts.CONSUMER)),
                orEmpty(exchange.getAttachment(ExchangeFacts.NODE_ADDRESS)));
        Series s = series.get(key);
        if (s == null) {
            s = series.computeIfAbsent(key, k -> new Series());
        }
        RoutePattern pattern = exchange.getAttachment(ExchangeFacts.MATCHED);
        s.status(pattern == null ? RoutePattern.NONE : pattern, exchange.getStatusCode()).increment();
        double total = totalNanos / 1e6;
        s.request.observe(total);
        if (upstreamNanos >= 0) {
            double upstream = upstreamNanos / 1e6;
            s.upstream.observe(upstream);
            s.apisix.observe(Math.max(0, total - upstream));
        } else {
            s.apisix.observe(total);
        }
        s.ingress.add(requestLength(exchange));
        s.egress.add(bytesSent(exchange));
    }

    /**
     * nginx's {@code $request_length}: request line, header and body. The head is counted as
     * HTTP/1.1 writes it (HTTP/2 compresses it); the body as declared (a chunked body counts 0).
     */
    static long requestLength(HttpServerExchange exchange) {
        String query = exchange.getQueryString();
        long n = exchange.getRequestMethod().length() + 1 + exchange.getRequestURI().length()
                + (query.isEmpty() ? 0 : 1 + query.length()) + 1 + exchange.getProtocol().length() + 2;
        n += headerBytes(exchange.getRequestHeaders()) + 2;
        long body = exchange.getRequestContentLength();
        return body > 0 ? n + body : n;
    }

    /** nginx's {@code $bytes_sent}: status line, header (as HTTP/1.1 writes them) and the body bytes sent. */
    static long bytesSent(HttpServerExchange exchange) {
        int code = exchange.getStatusCode();
        String reason = exchange.getReasonPhrase();
        long n = exchange.getProtocol().length() + 5 + (reason != null ? reason.length() : StatusCodes.getReason(code).length()) + 2;
        n += headerBytes(exchange.getResponseHeaders()) + 2;
        return n + exchange.getResponseBytesSent();
    }

    private static long headerBytes(HeaderMap headers) {
        long n = 0;
        for (long c = headers.fastIterateNonEmpty(); c != -1L; c = headers.fiNextNonEmpty(c)) {
            HeaderValues values = headers.fiCurrent(c);
            int name = values.getHeaderName().length() + 4; // ": " and CRLF
            for (int i = 0; i < values.size(); i++) {
                n += name + values.get(i).length();
            }
        }
        return n;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    void clients(Supplier<ClientCounts> counts) {
        this.clients = counts;
    }

    void checkedNodes(List<GatewayMetrics.CheckedNode> nodes) {
        this.checked = List.copyOf(nodes);
    }

    void etcd(Supplier<WatchedKeys.View> view, String prefix) {
        this.etcdPrefix = prefix;
        this.etcd = view;
    }

    /** The text exposition of every APISIX series. */
    String scrape() {
        StringBuilder out = new StringBuilder(4096);
        perRequest(out);
        connections(out);
        upstreamStatus(out);
        etcdState(out);
        header(out, "apisix_node_info", "gauge", "Info of APISIX node");
        out.append("apisix_node_info{hostname=\"").append(escape(hostname())).append("\",version=\"").append(escape(version))
                .append("\"} 1\n");
        // the exporter has no error path that loses an observation (nginx-lua-prometheus counts shared dict failures)
        header(out, "apisix_nginx_metric_errors_total", "counter", "Number of nginx-lua-prometheus errors");
        out.append("apisix_nginx_metric_errors_total 0\n");
        return out.toString();
    }

    /** Status, latency and bandwidth; series whose labels render alike (two ports of one node IP) are summed. */
    private void perRequest(StringBuilder out) {
        Map<String, Long> statuses = new TreeMap<>();
        Map<String, long[]> histograms = new TreeMap<>();
        Map<String, Double> sums = new TreeMap<>();
        Map<String, Long> bandwidth = new TreeMap<>();
        for (Map.Entry<SeriesKey, Series> e : series.entrySet()) {
            SeriesKey k = e.getKey();
            Series s = e.getValue();
            String tail = ",service=\"" + escape(k.service()) + "\",consumer=\"" + escape(k.consumer()) + "\",node=\""
                    + escape(NodeAddress.ip(k.node())) + "\"" + AI_LABELS;
            String route = "route=\"" + escape(k.route()) + "\"";
            s.statuses.forEach((pattern, codes) -> codes.forEach((count, code) ->
                    statuses.merge("code=\"" + code + "\"," + route + ",matched_uri=\"" + escape(pattern.uri())
                            + "\",matched_host=\"" + escape(pattern.host()) + "\"" + tail, count.sum(), Long::sum)));
            addHistogram(histograms, sums, "type=\"request\"," + route + tail, s.request);
            addHistogram(histograms, sums, "type=\"upstream\"," + route + tail, s.upstream);
            addHistogram(histograms, sums, "type=\"apisix\"," + route + tail, s.apisix);
            bandwidth.merge("type=\"ingress\"," + route + tail, s.ingress.sum(), Long::sum);
            bandwidth.merge("type=\"egress\"," + route + tail, s.egress.sum(), Long::sum);
        }
        header(out, "apisix_bandwidth", "counter", "Total bandwidth in bytes consumed per service in APISIX");
        bandwidth.forEach((labels, value) -> out.append("apisix_bandwidth{").append(labels).append("} ").append(value).append('\n'));
        header(out, "apisix_http_latency", "histogram", "HTTP request latency in milliseconds per service in APISIX");
        histograms.forEach((labels, counts) -> {
            long cumulative = 0;
            for (int i = 0; i < counts.length; i++) {
                cumulative += counts[i];
                out.append("apisix_http_latency_bucket{").append(labels).append(",le=\"").append(LE[i]).append("\"} ")
                        .append(cumulative).append('\n');
            }
            out.append("apisix_http_latency_count{").append(labels).append("} ").append(cumulative).append('\n');
            out.append("apisix_http_latency_sum{").append(labels).append("} ").append(number(sums.get(labels))).append('\n');
        });
        header(out, "apisix_http_status", "counter", "HTTP status codes per service in APISIX");
        statuses.forEach((labels, value) -> out.append("apisix_http_status{").append(labels).append("} ").append(value).append('\n'));
    }

    /** Only histograms with observations: APISIX has no upstream series for requests no upstream answered. */
    private static void addHistogram(Map<String, long[]> histograms, Map<String, Double> sums, String labels, Histogram h) {
        long[] counts = new long[h.counts.length];
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            counts[i] = h.counts[i].sum();
            total += counts[i];
        }
        if (total == 0) {
            return;
        }
        long[] merged = histograms.get(labels);
        if (merged != null) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] += merged[i];
            }
        }
        histograms.put(labels, counts);
        sums.merge(labels, h.sum.sum(), Double::sum);
    }

    /**
     * nginx's stub_status: active (open), accepted, handled, writing (requests in flight) and
     * waiting (open connections without a request in flight); reading has no JVM equivalent.
     */
    private void connections(StringBuilder out) {
        Supplier<ClientCounts> source = clients;
        if (source == null) {
            return;
        }
        ClientCounts c = source.get();
        header(out, "apisix_http_requests_total", "gauge", "The total number of client requests since APISIX started");
        out.append("apisix_http_requests_total ").append(c.requests()).append('\n');
        header(out, "apisix_nginx_http_current_connections", "gauge", "Number of HTTP connections");
        state(out, "accepted", c.accepted());
        state(out, "active", c.open());
        state(out, "handled", c.handled());
        state(out, "waiting", Math.max(0, c.open() - c.requestsInFlight()));
        state(out, "writing", c.requestsInFlight());
    }

    private static void state(StringBuilder out, String state, long value) {
        out.append("apisix_nginx_http_current_connections{state=\"").append(state).append("\"} ").append(value).append('\n');
    }

    private void upstreamStatus(StringBuilder out) {
        List<GatewayMetrics.CheckedNode> nodes = checked;
        if (nodes.isEmpty()) {
            return;
        }
        header(out, "apisix_upstream_status", "gauge", "Upstream status from health check");
        Map<String, Integer> rows = new TreeMap<>();
        for (GatewayMetrics.CheckedNode node : nodes) {
            rows.put("name=\"" + escape(resourceKey(node.upstream())) + "\",ip=\"" + escape(NodeAddress.ip(node.node()))
                    + "\",port=\"" + escape(NodeAddress.port(node.node())) + "\"", node.healthy().getAsBoolean() ? 1 : 0);
        }
        rows.forEach((labels, value) -> out.append("apisix_upstream_status{").append(labels).append("} ").append(value).append('\n'));
    }

    /**
     * APISIX names a health checker by the key of the resource holding the upstream
     * ({@code /apisix/upstreams/1}, {@code /apisix/routes/1}); the gateway names it by the
     * upstream's id, or {@code route 1} / {@code service 1} for one inline.
     */
    String resourceKey(String checker) {
        String prefix = etcdPrefix;
        if (checker.startsWith("route ")) {
            return prefix + "/routes/" + checker.substring(6);
        }
        if (checker.startsWith("service ")) {
            return prefix + "/services/" + checker.substring(8);
        }
        return checker.indexOf(' ') < 0 ? prefix + "/upstreams/" + checker : checker;
    }

    /** APISIX's folders whose largest modify index it reports, in its order. */
    private static final String[] ETCD_FOLDERS = {"routes", "services", "ssls", "consumers", "global_rules", "upstreams",
            "stream_routes", "protos"};

    /**
     * With etcd: reachable while the gateway's watch is in step with etcd; per folder the largest
     * mod revision of its keys, their maximum, and the revision the watch has reached
     * ({@code x_etcd_index}).
     */
    private void etcdState(StringBuilder out) {
        Supplier<WatchedKeys.View> source = etcd;
        if (source == null) {
            return;
        }
        WatchedKeys.View view = source.get();
        header(out, "apisix_etcd_reachable", "gauge", "Config server etcd reachable from APISIX, 0 is unreachable");
        out.append("apisix_etcd_reachable ").append(view == null ? 0 : 1).append('\n');
        if (view == null) {
            return;
        }
        header(out, "apisix_etcd_modify_indexes", "gauge", "Etcd modify index for APISIX keys");
        Map<String, Long> indexes = new TreeMap<>();
        long max = 0;
        for (String folder : ETCD_FOLDERS) {
            long largest = 0;
            for (io.tidegate.source.EtcdStore.Entry entry : view.under(etcdPrefix + "/" + folder + "/")) {
                largest = Math.max(largest, entry.modRevision());
            }
            indexes.put(folder, largest);
            max = Math.max(max, largest);
        }
        indexes.put("max_modify_index", max);
        indexes.put("x_etcd_index", view.revision());
        indexes.forEach((key, value) -> out.append("apisix_etcd_modify_indexes{key=\"").append(key).append("\"} ").append(value)
                .append('\n'));
    }

    private String hostname() {
        String name = hostname;
        if (name == null) {
            try {
                name = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                name = System.getenv().getOrDefault("HOSTNAME", "");
            }
            hostname = name;
        }
        return name;
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** A label value in the text format: backslash, double quote and newline escaped. */
    static String escape(String value) {
        if (value.indexOf('\\') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0) {
            return value;
        }
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Whole numbers without a fraction ({@code 500}, as APISIX writes its buckets), others as Java prints them. */
    static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
