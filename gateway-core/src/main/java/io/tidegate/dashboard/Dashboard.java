package io.tidegate.dashboard;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.ClassPathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;

/**
 * The web dashboard on the admin listener, in front of the Admin API ({@code next}): {@code /ui/}
 * serves the page and its scripts from the jar (no key needed: they hold no data), and
 * {@code /ui/api/...} the data, with the admin key ({@link DashboardApi}). Every answer carries a
 * Content-Security-Policy that allows scripts, styles and connections from the gateway only, and
 * no inline script, so that even a resource name crafted to hold markup cannot run in the page.
 */
public final class Dashboard implements HttpHandler {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "font-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist";
    private static final HttpString CONTENT_SECURITY_POLICY = new HttpString("Content-Security-Policy");
    private static final HttpString CONTENT_TYPE_OPTIONS = new HttpString("X-Content-Type-Options");
    private static final HttpString REFERRER_POLICY = new HttpString("Referrer-Policy");
    private static final HttpString FRAME_OPTIONS = new HttpString("X-Frame-Options");

    private final HttpHandler api;
    private final HttpHandler page;
    private final HttpHandler charts;
    private final HttpHandler next;

    public Dashboard(DashboardApi api, HttpHandler next) {
        this.api = api;
        this.next = next;
        ClassLoader loader = Dashboard.class.getClassLoader();
        this.page = new ResourceHandler(new ClassPathResourceManager(loader, "tidegate-ui")).setDirectoryListingEnabled(false)
                .setWelcomeFiles("index.html").setCachable(exchange -> false);
        this.charts = new ResourceHandler(new ClassPathResourceManager(loader, UPLOT)).setDirectoryListingEnabled(false)
                .setCachable(exchange -> false);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        if (!path.equals("/ui") && !path.startsWith("/ui/")) {
            next.handleRequest(exchange);
            return;
        }
        exchange.getResponseHeaders().put(CONTENT_SECURITY_POLICY, CSP).put(CONTENT_TYPE_OPTIONS, "nosniff")
                .put(REFERRER_POLICY, "no-referrer").put(FRAME_OPTIONS, "DENY").put(Headers.CACHE_CONTROL, "no-cache");
        if (path.equals("/ui")) {
            exchange.setStatusCode(StatusCodes.MOVED_PERMANENTLY);
            exchange.getResponseHeaders().put(Headers.LOCATION, "/ui/");
            exchange.endExchange();
        } else if (path.startsWith("/ui/api/")) {
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");  // answers hold configuration
            api.handleRequest(exchange);
        } else if (!safe(path)) {
            notFound(exchange);
        } else if (path.startsWith("/ui/vendor/uplot/")) {
            exchange.setRelativePath(path.substring("/ui/vendor/uplot".length()));
            charts.handleRequest(exchange);
        } else {
            exchange.setRelativePath(path.substring("/ui".length()));
            page.handleRequest(exchange);
        }
    }

    /** Plain names only: nothing that could climb out of the folder the files come from. */
    private static boolean safe(String path) {
        return path.matches("/ui/[A-Za-z0-9._/-]*") && !path.contains("..") && !path.contains("//")
                && !path.contains("/./") && !path.endsWith("/.");
    }

    private static void notFound(HttpServerExchange exchange) {
        exchange.setStatusCode(404);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
        exchange.getResponseSender().send("404 Not Found");
    }
}
