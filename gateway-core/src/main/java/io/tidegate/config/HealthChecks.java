package io.tidegate.config;

import java.util.List;

/**
 * An upstream's {@code checks}, with APISIX's defaults filled in. {@code passive} is null when not
 * configured (it needs {@code active}: a node ejected by real traffic only comes back through
 * probes).
 */
public record HealthChecks(Active active, Passive passive) {

    /**
     * Probes sent by the gateway. Intervals are seconds; APISIX only takes whole seconds, fractions
     * are allowed here.
     *
     * @param host   Host header and TLS name of the probe; null means the node's host
     * @param port   port to probe; null means the node's port
     * @param grpcService the service a {@code grpc}/{@code grpcs} check asks about ("" for the whole server)
     */
    public record Active(String type, double timeout, int concurrency, String httpPath, String host, Integer port,
                         boolean httpsVerifyCertificate, List<String> reqHeaders, double healthyInterval,
                         double unhealthyInterval, Thresholds thresholds, String grpcService) {}

    /** Results of real traffic counted per node; {@code type} tcp ignores statuses. */
    public record Passive(String type, Thresholds thresholds) {}

    /**
     * When a node changes state: {@code successes} consecutive healthy results bring an unhealthy
     * node back; {@code httpFailures}, {@code tcpFailures} or {@code timeouts} consecutive failures
     * of that kind eject a healthy one. Zero turns that kind of transition off.
     */
    public record Thresholds(List<Integer> healthyStatuses, int successes, List<Integer> unhealthyStatuses,
                             int httpFailures, int tcpFailures, int timeouts) {}
}
