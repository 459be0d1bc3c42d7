package io.tidegate.proxy;

import io.tidegate.plugin.ConsumerDirectory;
import io.tidegate.plugin.PluginBinding;
import io.tidegate.plugin.PluginChain;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.runtime.RoutePlan;
import io.tidegate.upstream.UpstreamProxyClient;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a route's plugins through APISIX's phases around the proxy ({@code next}): rewrite and
 * access here (global rules first; a consumer's plugins join after authentication), before_proxy
 * once the node is chosen, header_filter on the response head, body_filter on each body chunk, log
 * once the exchange is complete. A phase that answers ends the exchange. A plugin that throws in a
 * request phase fails the request with 500, never skipped; later phases log and go on.
 */
final class PluginPhasesHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(PluginPhasesHandler.class);
    static final AttachmentKey<Boolean> HEAD_SEEN = AttachmentKey.create(Boolean.class);

    private final RoutePlan plan;
    private final HttpHandler next;
    /** The route chain merged with each consumer's plugins, built on first use per consumer. */
    private final Map<String, PluginChain> withConsumer = new ConcurrentHashMap<>();

    PluginPhasesHandler(RoutePlan plan, HttpHandler next) {
        this.plan = plan;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        Phases phases = new Phases(plan, new ExchangePluginContext(exchange, plan));
        exchange.addResponseCommitListener(phases::headerFilter);
        exchange.addExchangeCompleteListener((ex, nextListener) -> {
            try {
                phases.log();
            } finally {
                // Undertow's upstream pool keeps the exchange that opened a connection for the
                // connection's life; letting go of the plugins here keeps that from pinning old
                // plugin versions (and their class loaders) in memory.
                phases.release();
                ex.removeAttachment(UpstreamProxyClient.BEFORE_PROXY);
                nextListener.proceed();
            }
        });
        if (phases.run(exchange, Phase.REWRITE)) {
            return;
        }
        ExchangePluginContext context = phases.context;
        ConsumerDirectory.ConsumerPlugins consumer = context.consumerPlugins();
        if (consumer != null) {
            if (!consumer.missing().isEmpty()) {
                String name = consumer.missing().iterator().next();
                log.error("consumer {} uses plugin {} that is not loaded; refusing its request on route {}",
                        context.consumer().orElse("?"), name, plan.routeId());
                ErrorResponses.send(exchange, 503, "plugin " + name + " is not loaded");
                return;
            }
            phases.route = withConsumer.computeIfAbsent(context.consumer().orElseThrow(),
                    user -> plan.routeChain().overriddenBy(consumer.chain()));
        }
        if (phases.filtersBody()) {
            exchange.addResponseWrapper((factory, ex) -> new BodyFilterConduit(factory.create(), phases::bodyFilter));
        }
        if (phases.run(exchange, Phase.ACCESS)) {
            return;
        }
        exchange.putAttachment(UpstreamProxyClient.BEFORE_PROXY, ex -> !phases.run(ex, Phase.BEFORE_PROXY));
        next.handleRequest(exchange);
    }

    private enum Phase { REWRITE, ACCESS, BEFORE_PROXY }

    /**
     * The phases of one exchange, with the chain in force (the route's, or merged with a
     * consumer's). Static, with fields {@link #release} clears, so that nothing the exchange keeps
     * after completion reaches a plugin.
     */
    private static final class Phases {
        private RoutePlan plan;
        private ExchangePluginContext context;
        private PluginChain route;

        Phases(RoutePlan plan, ExchangePluginContext context) {
            this.plan = plan;
            this.context = context;
            this.route = plan.routeChain();
        }

        boolean filtersBody() {
            return route.filtersBody() || plan.globalChain().filtersBody();
        }

        /** Runs a request phase over global rules then the route; true when the exchange was answered. */
        boolean run(HttpServerExchange exchange, Phase phase) {
            return runChain(exchange, phase, plan.globalChain()) || runChain(exchange, phase, route);
        }

        private boolean runChain(HttpServerExchange exchange, Phase phase, PluginChain chain) {
            for (PluginBinding binding : chain.bindings()) {
                PhaseResult result;
                try {
                    result = switch (phase) {
                        case REWRITE -> binding.instance().rewrite(context);
                        case ACCESS -> binding.instance().access(context);
                        case BEFORE_PROXY -> binding.instance().beforeProxy(context);
                    };
                } catch (RuntimeException | LinkageError e) {
                    log.error("plugin {} failed in {} on route {} ({})", binding.name(), phase.name().toLowerCase(),
                            plan.routeId(), binding.place(), e);
                    ErrorResponses.send(exchange, 500, "500 Internal Server Error");
                    return true;
                }
                if (result != null && !result.proceeds()) {
                    respond(exchange, result);
                    return true;
                }
            }
            return false;
        }

        void headerFilter(HttpServerExchange exchange) {
            if (plan == null) {
                return;
            }
            exchange.putAttachment(HEAD_SEEN, Boolean.TRUE);
            if (filtersBody()) {
                // a body filter may change the size; the body is sent chunked instead
                exchange.getResponseHeaders().remove(Headers.CONTENT_LENGTH);
            }
            each(plan.globalChain(), "header_filter", b -> b.instance().headerFilter(context));
            each(route, "header_filter", b -> b.instance().headerFilter(context));
        }

        ByteBuffer bodyFilter(ByteBuffer chunk, boolean last) {
            if (plan == null) {
                return chunk;
            }
            ByteBuffer current = chunk;
            for (PluginChain chain : new PluginChain[] {plan.globalChain(), route}) {
                for (PluginBinding binding : chain.bindings()) {
                    if (binding.instance().filtersBody()) {
                        ByteBuffer out = binding.instance().bodyFilter(context, current, last);
                        current = out == null ? ByteBuffer.allocate(0) : out;
                    }
                }
            }
            return current;
        }

        void log() {
            if (plan != null) {
                each(plan.globalChain(), "log", b -> b.instance().log(context));
                each(route, "log", b -> b.instance().log(context));
            }
        }

        void release() {
            plan = null;
            context = null;
            route = null;
        }

        private void each(PluginChain chain, String phase, java.util.function.Consumer<PluginBinding> action) {
            for (PluginBinding binding : chain.bindings()) {
                try {
                    action.accept(binding);
                } catch (RuntimeException | LinkageError e) {
                    log.error("plugin {} failed in {} on route {} ({})", binding.name(), phase, plan.routeId(), binding.place(), e);
                }
            }
        }
    }

    private static void respond(HttpServerExchange exchange, PhaseResult result) {
        if (exchange.isResponseStarted()) {
            return;
        }
        exchange.setStatusCode(result.status());
        exchange.getResponseHeaders().clear();
        result.headers().forEach((name, value) -> exchange.getResponseHeaders().put(HttpString.tryFromString(name), value));
        exchange.getResponseSender().send(ByteBuffer.wrap(result.body()));
    }
}
