package io.tidegate.config;

/**
 * The {@code tidegate.metrics} section: where the Prometheus exporter listens and which names it
 * publishes.
 *
 * @param listener the exporter's listener ({@code address})
 * @param names    {@code tidegate} (default): the gateway's own {@code tidegate_*} series;
 *                 {@code apisix}: APISIX's {@code apisix_*} names and labels, so dashboards made
 *                 for APISIX read the gateway unchanged
 */
public record MetricsSettings(ListenerSettings listener, Names names) {
    public enum Names { TIDEGATE, APISIX }
}
