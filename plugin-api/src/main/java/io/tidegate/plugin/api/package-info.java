/**
 * The contract Tidegate plugins compile against: a plugin names itself, declares its APISIX priority,
 * validates its configuration once, and takes part in the proxy phases (rewrite, access,
 * before_proxy, header_filter, body_filter, log) through a context that exposes the request, the
 * upstream request and the response without any server types.
 *
 * <p>The types arrive with the plugin system; until then this module is the reserved home of the
 * contract so that the build layout is final.
 */
package io.tidegate.plugin.api;
