package io.tidegate.config;

import java.util.List;

/**
 * {@code tidegate.etcd}: where the resources live when they are not in the file. Keys follow
 * APISIX's layout under {@code prefix} ({@code /apisix/routes/1}, ...).
 *
 * @param timeoutSeconds how long one etcd call may take before it counts as failed
 */
public record EtcdSettings(List<String> endpoints, String prefix, String user, String password, double timeoutSeconds) {}
