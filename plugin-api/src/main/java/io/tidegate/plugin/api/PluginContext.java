package io.tidegate.plugin.api;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * One request as a plugin sees it. Valid only during a phase call of that request; do not keep it.
 * All methods are called on the request's IO thread.
 */
public interface PluginContext {
    /** The request as the client sent it. */
    Request request();

    /** The request that will go to the upstream; changes here change what is sent. */
    UpstreamRequest upstreamRequest();

    /** The response: readable and changeable from header_filter on; status 0 before that. */
    Response response();

    /** The matched route's id. */
    String routeId();

    /** The route's service id, or null. */
    String serviceId();

    /**
     * An APISIX variable: {@code uri}, {@code request_uri}, {@code host}, {@code remote_addr},
     * {@code remote_port}, {@code realip_remote_addr}, {@code realip_remote_port}, {@code server_addr}, {@code server_port}, {@code request_method}, {@code server_protocol} ({@code HTTP/1.1}, {@code HTTP/2.0}),
     * {@code scheme}, {@code query_string}, {@code arg_NAME}, {@code http_NAME}, {@code cookie_NAME};
     * and for logs {@code status}, {@code bytes_sent}, {@code request_length}, {@code request_time},
     * {@code upstream_addr}, {@code upstream_response_time}, {@code upstream_status} (the last try's), {@code route_id}, {@code service_id},
     * {@code route_name}, {@code service_name}, {@code consumer_name}, {@code msec}, {@code time_iso8601}; and Tidegate's
     * {@code matched_uri}, the uri pattern of the route that matched, as configured ({@code /users/*}, one of its
     * {@code uris}; APISIX's {@code curr_req_matched._path}). Null when absent.
     */
    String var(String name);

    /**
     * Takes {@code address} as the client's for the rest of the request, as nginx's real_ip module
     * does (the {@code real-ip} plugin calls it in rewrite): {@code $remote_addr},
     * {@code $remote_port}, {@link Request#clientAddress()}, ip-restriction, limit keys, the
     * {@code X-Forwarded-For} and {@code X-Real-IP} sent upstream and the access log all see it. The
     * connection's own peer stays readable as {@code $realip_remote_addr} / {@code $realip_remote_port}.
     * Route matching ({@code remote_addrs}) has happened already and is not redone.
     */
    void setClientAddress(java.net.InetSocketAddress address);

    /**
     * Reads the whole request body, at most {@code maxBytes} of it, without holding a thread; for
     * the rewrite and access phases, whose result is then {@link PhaseResult#later} of the stage
     * (hmac-auth's digest, forward-auth's POST). The stage completes with the body (empty when
     * there is none), or with null when it is longer than {@code maxBytes} (answer 413: nothing of
     * it was sent anywhere). The stage completes on the request's IO thread, so a continuation
     * attached to it may still use this context (authenticate, set headers) before the phase's
     * decision. The body is then held in memory and sent upstream as read; a second call returns
     * the same bytes. Use only where the body must be seen whole before proxying:
     * every other request streams.
     */
    java.util.concurrent.CompletionStage<byte[]> readBody(int maxBytes);

    /**
     * Lets {@code tap} see the request body as it streams to the upstream (in access or
     * before_proxy). The body is not held for it: a tap that cannot keep up must give up its copy,
     * never make the client wait. A body read whole before ({@link #readBody}) is handed over at once.
     */
    void tapRequestBody(RequestBodyTap tap);

    /**
     * Lets {@code watcher} see every try of this request at an upstream node, each retry included
     * (in rewrite, access or before_proxy; before the first try). The gateway's own answers
     * (a plugin's, a 404) make no try.
     */
    void watchUpstreamTries(UpstreamTryWatcher watcher);

    /**
     * Runs tasks on this request's IO thread. A continuation of an asynchronous call that
     * completes elsewhere (an HTTP client's thread) must run here before it uses the context:
     * {@code PhaseResult.later(call.thenApplyAsync(response -> ..., context.requestThread()))}.
     */
    java.util.concurrent.Executor requestThread();

    /**
     * Sends this request to {@code upstream} instead of the route's (in rewrite or access; the
     * last call wins; null goes back to the route's own). Returns false, changing nothing, when it
     * names an upstream id the serving configuration does not have.
     */
    boolean useUpstream(UpstreamRef upstream);

    /** The authenticated consumer, once an authentication plugin identified it. */
    Optional<String> consumer();

    /**
     * Marks the request as made by this consumer (authentication plugins call it). Returns false,
     * changing nothing, when no consumer has that name. The consumer's own plugins join the
     * chain from the access phase on, and the upstream receives {@code X-Consumer-Username}.
     */
    boolean authenticate(String username);

    /** A value kept for this request under {@code key}; null when none. */
    <T> T attribute(AttributeKey<T> key);

    /** Keeps {@code value} for this request under {@code key} (null removes it); returns the previous value. */
    <T> T setAttribute(AttributeKey<T> key, T value);

    /** The client's request, read-only. */
    interface Request {
        String method();

        /** Decoded path, without query string. */
        String path();

        /** Raw query string without {@code ?}; empty when none. */
        String query();

        /** First value of a query argument, decoded; null when absent. */
        String queryArg(String name);

        /** First value of a header (case-insensitive); null when absent. */
        String header(String name);

        List<String> headers(String name);

        /** Names of the headers the request carries. */
        java.util.Set<String> headerNames();

        /** Each header name with all its values, without copying (the list is read-only and valid only in the call). */
        void forEachHeader(java.util.function.BiConsumer<String, List<String>> action);

        InetAddress clientAddress();

        /**
         * The first bytes of the request body, as many as the largest
         * {@link PluginInstance#requestBodyHead()} among the request's plugins: all of it that was
         * read by the time of the call, so complete in the log phase. Empty when no plugin asked
         * for it or the request had no body.
         */
        default byte[] bodyHead() {
            return new byte[0];
        }
    }

    /** The request to be sent upstream. */
    interface UpstreamRequest {
        String method();

        void setMethod(String method);

        /** Raw (encoded) path sent upstream, without query string. */
        String path();

        void setPath(String rawPath);

        /** Raw query string without {@code ?}; empty when none. */
        String query();

        void setQuery(String rawQuery);

        String header(String name);

        void setHeader(String name, String value);

        void addHeader(String name, String value);

        void removeHeader(String name);

        /** Sets the Host header sent upstream. */
        void setHost(String host);

        /**
         * Replaces the body sent upstream with {@code body} (Content-Length follows), for a plugin
         * that transforms the body it read with {@link PluginContext#readBody}, or gives a request
         * that had none a body (with {@link #setMethod}, a GET sent as a POST).
         *
         * @throws IllegalStateException when the request has a body that was not read whole first
         */
        void setBody(byte[] body);
    }

    /** The response to the client. */
    interface Response {
        int status();

        void setStatus(int status);

        /** The first value of the header, or null. */
        String header(String name);

        /** Every value of the header (a header sent on several lines), in order; empty when absent. */
        default List<String> headers(String name) {
            List<String> values = new java.util.ArrayList<>();
            forEachHeader((header, all) -> {
                if (header.equalsIgnoreCase(name)) {
                    values.addAll(all);
                }
            });
            return values;
        }

        /** Names of the headers the response carries. */
        java.util.Set<String> headerNames();

        /** Each header name with all its values, without copying (the list is read-only and valid only in the call). */
        void forEachHeader(java.util.function.BiConsumer<String, List<String>> action);

        void setHeader(String name, String value);

        void addHeader(String name, String value);

        void removeHeader(String name);

        /**
         * A trailer field of the upstream's response (such as gRPC's {@code grpc-status}): known
         * once its body has ended, so in the last {@link PluginInstance#bodyFilter} call; null when
         * the response had no such trailer (or none yet).
         */
        String trailer(String name);
    }
}
