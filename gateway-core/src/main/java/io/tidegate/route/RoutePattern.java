package io.tidegate.route;

/**
 * The patterns of a route that matched a request, as configured: {@code uri} (say
 * {@code /user/:id} or {@code /api/*}) and {@code host} ({@code ""} when the route names no host).
 * Never the request's own path or Host, so they are safe as metric labels.
 */
public record RoutePattern(String uri, String host) {
    public static final RoutePattern NONE = new RoutePattern("", "");
}
