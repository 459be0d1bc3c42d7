/**
 * The contract Tidegate plugins compile against.
 *
 * <p>A plugin is a PF4J jar in {@code plugins-dist/} holding one or more {@link
 * io.tidegate.plugin.api.GatewayPlugin} extensions. Each names itself (the key used under
 * {@code plugins:} in the configuration), declares its APISIX priority, and turns one configuration
 * object into a {@link io.tidegate.plugin.api.PluginInstance} once, when the configuration is
 * compiled. Instances take part in the proxy phases (rewrite, access, before_proxy,
 * header_filter, body_filter, log) through a {@link io.tidegate.plugin.api.PluginContext} that
 * exposes the request, the upstream request and the response without any server types.
 *
 * <p>Plugin jars keep this module, PF4J and Jackson in {@code provided} scope: the gateway supplies
 * them, so a plugin's classes and the gateway's agree on these types.
 */
package io.tidegate.plugin.api;
