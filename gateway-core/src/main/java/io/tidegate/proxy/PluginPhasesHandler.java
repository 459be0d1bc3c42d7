package io.tidegate.proxy;

import io.tidegate.plugin.ConsumerDirectory;
import io.tidegate.plugin.PluginBinding;
import io.tidegate.plugin.PluginChain;
import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.runtime.RoutePlan;
import io.undertow.server.HttpHandler;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ResponseCommitListener;
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
        Phases phases = new Phases(plan, new ExchangePluginContext(exchange, plan), this);
        exchange.addResponseCommitListener(phases);
        exchange.addExchangeCompleteListener(phases);
        phases.continueRequest(exchange);
    }

    /** After rewrite: merge the authenticated consumer's plugins; false when the request was refused. */
    private boolean joinConsumer(HttpServerExchange exchange, Phases phases) {
        ExchangePluginContext context = phases.context;
        ConsumerDirectory.ConsumerPlugins consumer = context.consumerPlugins();
        if (consumer == null) {
            return true;
        }
        if (!consumer.missing().isEmpty()) {
            String name = consumer.missing().iterator().next();
            log.error("consumer {} uses plugin {} that is not loaded; refusing its request on route {}",
                    context.consumer().orElse("?"), name, plan.routeId());
            ErrorResponses.send(exchange, 503, "plugin " + name + " is not loaded");
            return false;
        }
        phases.route = withConsumer.computeIfAbsent(context.consumer().orElseThrow(),
                user -> plan.routeChain().without(consumer.disabled()).overriddenBy(consumer.chain()));
        phases.consumerRewrite = consumer.chain().isEmpty() ? null : consumer.chain();
        return true;
    }

    /** After access: body filters, the before_proxy hook, then the proxy. */
    private void proxy(HttpServerExchange exchange, Phases phases) throws Exception {
        // Added first, so it is inside the body filters (the last wrapper added is the outermost):
        // their last call (a compressor's final block) must come before the log phase ends them.
        if (!exchange.isPersistent()) {
            exchange.addResponseWrapper((factory, ex) -> new LogBeforeCloseConduit(factory.create(), phases::logOnce));
        }
        if (phases.filtersBody()) {
            exchange.addResponseWrapper((factory, ex) -> new BodyFilterConduit(factory.create(), phases));
        }
        RequestBodyHead.keep(exchange, phases.requestBodyHead());
        exchange.putAttachment(ProxyExchange.BEFORE_PROXY, phases);
        next.handleRequest(exchange);
    }

    private enum Phase {
        REWRITE("rewrite"), CONSUMER_REWRITE("rewrite"), ACCESS("access"), BEFORE_PROXY("before_proxy"), HEADER_FILTER("header_filter"), LOG("log");

        final String label;

        Phase(String label) {
            this.label = label;
        }
    }

    /**
     * The phases of one exchange, with the chain in force (the route's, or merged with a
     * consumer's). Static, with fields {@link #release} clears, so that nothing the exchange keeps
     * after completion reaches a plugin.
     */
    private static final class Phases implements ResponseCommitListener, ExchangeCompletionListener,
            ProxyExchange.BeforeProxy, BodyFilterConduit.Filter {
        private RoutePlan plan;
        private ExchangePluginContext context;
        private PluginChain route;
        /**
         * The authenticated consumer's own plugins, whose rewrite phase runs once it is known (as
         * APISIX's rewrite_in_consumer), before access; null when it has none.
         */
        private PluginChain consumerRewrite;
        private PluginPhasesHandler handler;
        private boolean lengthFixed;
        private boolean sizeWarned;
        /** The log phase ran: at the response's end on a closing connection, else at completion. */
        private boolean logged;
        /** Where the request phases stand, so a deferred decision can resume right after its plugin. */
        private Phase phase = Phase.REWRITE;
        private int chainIndex;
        private int bindingIndex;

        Phases(RoutePlan plan, ExchangePluginContext context, PluginPhasesHandler handler) {
            this.plan = plan;
            this.context = context;
            this.route = plan.routeChain();
            this.handler = handler;
        }

        /** Runs rewrite, then access, then hands over to the proxy; stops when answered or deferred. */
        void continueRequest(HttpServerExchange exchange) throws Exception {
            while (true) {
                Outcome outcome = runFromCursor(exchange);
                if (outcome != Outcome.FINISHED) {
                    return;
                }
                if (phase == Phase.REWRITE || phase == Phase.CONSUMER_REWRITE) {
                    if (phase == Phase.REWRITE && !handler.joinConsumer(exchange, this)) {
                        return;
                    }
                    phase = phase == Phase.REWRITE && consumerRewrite != null ? Phase.CONSUMER_REWRITE : Phase.ACCESS;
                    chainIndex = 0;
                    bindingIndex = 0;
                } else {
                    handler.proxy(exchange, this);
                    return;
                }
            }
        }

        private enum Outcome { FINISHED, ANSWERED, DEFERRED }

        private Outcome runFromCursor(HttpServerExchange exchange) {
            for (; chainIndex < 2; chainIndex++, bindingIndex = 0) {
                PluginBinding[] bindings = (phase == Phase.CONSUMER_REWRITE ? (chainIndex == 0 ? PluginChain.EMPTY : consumerRewrite)
                        : chainIndex == 0 ? plan.globalChain() : route).bindings();
                while (bindingIndex < bindings.length) {
                    PluginBinding binding = bindings[bindingIndex++];
                    PhaseResult result = call(exchange, phase, binding);
                    if (result == null || result.proceeds()) {
                        continue;
                    }
                    if (result.isDeferred()) {
                        defer(exchange, binding, result);
                        return Outcome.DEFERRED;
                    }
                    if (result != ANSWERED_BY_GATEWAY) {
                        respond(exchange, result);
                    }
                    return Outcome.ANSWERED;
                }
            }
            return Outcome.FINISHED;
        }

        /** One plugin's phase; a throwing plugin answers 500 (status-only result) rather than being skipped. */
        private PhaseResult call(HttpServerExchange exchange, Phase phase, PluginBinding binding) {
            try {
                return switch (phase) {
                    case REWRITE, CONSUMER_REWRITE -> binding.instance().rewrite(context);
                    case ACCESS -> binding.instance().access(context);
                    default -> binding.instance().beforeProxy(context);
                };
            } catch (RuntimeException | LinkageError e) {
                log.error("plugin {} failed in {} on route {} ({})", binding.name(), phase.label, plan.routeId(),
                        binding.place(), e);
                ErrorResponses.send(exchange, 500, "500 Internal Server Error");
                return ANSWERED_BY_GATEWAY;
            }
        }

        /**
         * Parks the exchange until the deferred decision arrives, then resumes on the exchange's IO
         * thread as a fresh handler call (so Undertow ends the exchange if nothing else takes it).
         */
        private void defer(HttpServerExchange exchange, PluginBinding binding, PhaseResult result) {
            exchange.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, () -> {
                if (result.delay() != null) {
                    io.undertow.util.WorkerUtils.executeAfter(exchange.getIoThread(),
                            () -> resume(exchange, binding, PhaseResult.proceed(), null),
                            Math.max(1, result.delay().toMillis()), java.util.concurrent.TimeUnit.MILLISECONDS);
                } else {
                    result.pending().whenComplete((outcome, failure) -> exchange.getIoThread().execute(
                            () -> resume(exchange, binding, outcome, failure)));
                    RequestBody.startPending(exchange);
                }
            });
        }

        private void resume(HttpServerExchange exchange, PluginBinding binding, PhaseResult outcome, Throwable failure) {
            if (exchange.isComplete() || plan == null) {
                return; // the client went away meanwhile
            }
            io.undertow.server.Connectors.executeRootHandler(ex -> {
                if (failure != null || outcome == null || outcome.isDeferred()) {
                    log.error("plugin {} failed in {} on route {} ({}): {}", binding.name(), phase.label, plan.routeId(),
                            binding.place(), failure != null ? failure.toString() : "deferred decision must proceed or respond");
                    ErrorResponses.send(ex, 500, "500 Internal Server Error");
                } else if (!outcome.proceeds()) {
                    respond(ex, outcome);
                } else {
                    continueRequest(ex);
                }
            }, exchange);
        }

        boolean filtersBody() {
            return route.filtersBody() || plan.globalChain().filtersBody();
        }

        int requestBodyHead() {
            return Math.max(route.requestBodyHead(), plan.globalChain().requestBodyHead());
        }

        /** before_proxy, from the proxy once the node is chosen: it must decide at once. */
        @Override
        public boolean proceed(HttpServerExchange exchange) {
            for (PluginChain chain : new PluginChain[] {plan.globalChain(), route}) {
                for (PluginBinding binding : chain.bindings()) {
                    PhaseResult result = call(exchange, Phase.BEFORE_PROXY, binding);
                    if (result == null || result.proceeds()) {
                        continue;
                    }
                    if (result.isDeferred()) {
                        log.error("plugin {} deferred its before_proxy decision on route {} ({}); only rewrite and access may",
                                binding.name(), plan.routeId(), binding.place());
                        ErrorResponses.send(exchange, 500, "500 Internal Server Error");
                    } else if (result != ANSWERED_BY_GATEWAY) {
                        respond(exchange, result);
                    }
                    return false;
                }
            }
            return true;
        }

        /** header_filter, on the response head just before it is sent. */
        @Override
        public void beforeCommit(HttpServerExchange exchange) {
            if (plan == null) {
                return;
            }
            exchange.putAttachment(HEAD_SEEN, Boolean.TRUE);
            each(plan.globalChain(), Phase.HEADER_FILTER);
            each(route, Phase.HEADER_FILTER);
            // body filters that change the size remove Content-Length themselves (APISIX's contract)
            lengthFixed = exchange.getResponseHeaders().contains(Headers.CONTENT_LENGTH);
        }

        @Override
        public ByteBuffer apply(ByteBuffer chunk, boolean last) {
            if (plan == null) {
                return chunk;
            }
            if (last && ProxyExchange.wasCutShort(context.exchange())) {
                // the body did not end, it was cut: no filter may take it as complete (a cache would store it)
                return chunk;
            }
            int size = chunk.remaining();
            ByteBuffer current = filter(route, filter(plan.globalChain(), chunk, last), last);
            if (lengthFixed && current.remaining() != size && !sizeWarned) {
                sizeWarned = true;
                log.error("a body filter on route {} changed the body size but left Content-Length; the client will see a"
                        + " broken response (remove Content-Length in header_filter)", plan.routeId());
            }
            return current;
        }

        /** Global rules' filters run first on a chunk, as in every phase. */
        private ByteBuffer filter(PluginChain chain, ByteBuffer chunk, boolean last) {
            ByteBuffer current = chunk;
            for (PluginBinding binding : chain.bindings()) {
                if (binding.instance().filtersBody()) {
                    ByteBuffer out;
                    try {
                        out = binding.instance().bodyFilter(context, current, last);
                    } catch (RuntimeException | StackOverflowError e) {
                        // the head is sent: the only honest end is a cut connection, never a body silently unfiltered
                        log.error("plugin {} failed in body_filter on route {} ({}); closing the connection", binding.name(),
                                plan.routeId(), binding.place(), e);
                        throw new BodyFilterFailure(e);
                    }
                    current = out == null ? ByteBuffer.allocate(0) : out;
                }
            }
            return current;
        }

        /** The log phase, unless it ran already (see {@link LogBeforeCloseConduit}). */
        void logOnce() {
            if (plan != null && !logged) {
                logged = true;
                each(plan.globalChain(), Phase.LOG);
                each(route, Phase.LOG);
            }
        }

        /** log, once the exchange is complete, if the response's end did not run it. */
        @Override
        public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
            try {
                logOnce();
            } finally {
                // Undertow's upstream pool keeps the exchange that opened a connection for the
                // connection's life; letting go of the plugins here keeps that from pinning old
                // plugin versions (and their class loaders) in memory.
                release();
                exchange.removeAttachment(ProxyExchange.BEFORE_PROXY);
                next.proceed();
            }
        }

        void release() {
            plan = null;
            context = null;
            route = null;
            consumerRewrite = null;
            handler = null;
        }

        /** A phase whose failures are logged and passed over: the response is already on its way. */
        private void each(PluginChain chain, Phase phase) {
            for (PluginBinding binding : chain.bindings()) {
                try {
                    if (phase == Phase.LOG) {
                        binding.instance().log(context);
                    } else {
                        binding.instance().headerFilter(context);
                    }
                } catch (RuntimeException | LinkageError e) {
                    log.error("plugin {} failed in {} on route {} ({})", binding.name(), phase.label, plan.routeId(),
                            binding.place(), e);
                }
            }
        }
    }

    /** Stands for "the gateway already answered" (a plugin failed); never sent as such. */
    private static final PhaseResult ANSWERED_BY_GATEWAY = PhaseResult.respond(500, Map.of(), new byte[0]);

    /** A body filter threw: the conduit turns it into an IOException, which ends the connection. */
    static final class BodyFilterFailure extends RuntimeException {
        BodyFilterFailure(Throwable cause) {
            super(cause);
        }
    }

    private static void respond(HttpServerExchange exchange, PhaseResult result) {
        if (exchange.isResponseStarted()) {
            return;
        }
        exchange.setStatusCode(result.status());
        exchange.getResponseHeaders().clear();
        result.headers().forEach((name, values) -> {
            HttpString header = HeaderNames.of(name);
            values.forEach(value -> exchange.getResponseHeaders().add(header, SafeHeaderValue.of(value)));
        });
        if (result.status() >= 400 && GrpcStatusAnswer.wanted(exchange)) {
            // a plugin's refusal, told to a gRPC client in its own terms; the plugin's headers stay
            GrpcStatusAnswer.send(exchange, GrpcStatusAnswer.code(result.status()), GrpcStatusAnswer.messageOf(result.body()));
            return;
        }
        exchange.getResponseSender().send(result.bodyView());
    }
}
