package io.tidegate.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tidegate.testing.Browser;
import io.tidegate.testing.TestGateway;
import io.tidegate.testing.TestPluginJars;
import io.tidegate.testing.TempDirs;
import io.tidegate.testing.UpstreamServer;
import io.tidegate.testplugins.EarlyRecorderPlugin;
import io.tidegate.testplugins.RecorderPlugin;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real browser (Debian's headless Chromium) against a real gateway in
 * API-driven mode, with real upstream servers: what a person does with it, checked by what the
 * gateway then serves. With {@code -Ddashboard.screenshots=docs} it also saves the screenshots
 * the README shows.
 */
class DashboardBrowserTest {
    private static final String KEY = "dashboard-test-key";
    private static final Duration CHECKS = Duration.ofSeconds(10);

    private static UpstreamServer a;
    private static UpstreamServer b;
    private static UpstreamServer doomed;
    private static TestGateway gateway;
    private static Browser browser;
    private static String base;
    private static Path screenshots;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Browser.available(), "needs " + Browser.CHROMIUM + " and " + Browser.CHROMEDRIVER);
        a = UpstreamServer.start("a");
        b = UpstreamServer.start("b");
        doomed = UpstreamServer.start("doomed");
        Path plugins = Files.createDirectories(TempDirs.create("dashboard").resolve("plugins"));
        TestPluginJars.install(plugins, "recorders.jar", "recorders", "1", RecorderPlugin.class, EarlyRecorderPlugin.class);
        gateway = TestGateway.start("""
                tidegate:
                  threads: 2
                  listeners: [{ address: "127.0.0.1:0" }]
                  plugins_dir: %s
                  admin: { address: "127.0.0.1:0", api_key: %s }
                """.formatted(plugins, KEY));
        HttpResponse<String> put = gateway.send(HttpRequest.newBuilder(adminUri("/apisix/admin/configs"))
                .header("X-API-KEY", KEY).header("X-Digest", "initial").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("""
                        {"upstreams": [
                           {"id": "pool-a", "nodes": {"%1$s": 1}},
                           {"id": "pool-b", "nodes": {"%2$s": 1}},
                           {"id": "checked", "nodes": {"%1$s": 1, "%3$s": 1},
                            "checks": {"active": {"type": "http", "http_path": "/",
                              "healthy": {"interval": 1, "successes": 1},
                              "unhealthy": {"interval": 1, "http_failures": 1, "tcp_failures": 1, "timeouts": 1}}}}],
                         "routes": [
                           {"id": "traced", "uri": "/traced/*", "upstream_id": "pool-a", "plugins": {"recorder": {"tag": "route"}}},
                           {"id": "hosted", "uri": "/hosted", "hosts": ["shop.example"], "upstream_id": "pool-b"},
                           {"id": "checked", "uri": "/checked", "upstream_id": "checked"},
                           {"id": "switch", "uri": "/switch", "upstream_id": "pool-a"}],
                         "global_rules": [{"id": "g1", "plugins": {"early-recorder": {"tag": "global"}}}]}
                        """.formatted(a.address(), b.address(), doomed.address()))).build());
        assertEquals(202, put.statusCode(), put.body());
        for (int i = 0; i < 20; i++) {
            assertEquals(200, gateway.get("/traced/" + i).statusCode());
        }
        base = "http://127.0.0.1:" + gateway.gateway().adminAddress().getPort() + "/ui/";
        String shots = System.getProperty("dashboard.screenshots", "");
        screenshots = shots.isBlank() ? null : repositoryPath(shots);
        browser = Browser.start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable closeable : new AutoCloseable[] {browser, gateway, a, b, doomed}) {
            try {
                if (closeable != null) {
                    closeable.close();
                }
            } catch (Exception e) {
                // the others still close
            }
        }
    }

    @BeforeEach
    void signedOut() {
        browser.open(base);
        browser.script("sessionStorage.clear()");
        browser.driver().navigate().refresh();
        browser.visible(By.id("signin-key"));
        browser.consoleErrors();
    }

    @AfterEach
    void noConsoleErrors() {
        assertEquals(List.of(), browser.consoleErrors(), "no script error or CSP violation in the page");
    }

    @Test
    void aWrongKeyIsRefusedAndTheRightOneShowsTheOverview() throws Exception {
        browser.visible(By.id("signin-key")).sendKeys("not-the-key", Keys.ENTER);
        browser.awaitText(By.id("signin-error"), "Wrong admin key.", CHECKS);
        assertTrue(browser.sessionStorage().isEmpty(), "a refused key is not kept");
        assertTrue(browser.driver().findElement(By.id("signin")).isDisplayed());

        WebElement key = browser.driver().findElement(By.id("signin-key"));
        key.clear();
        key.sendKeys(KEY, Keys.ENTER);
        browser.visible(By.id("signout"));
        JsonNode overview = api("/overview");
        browser.awaitText(By.id("config-version"), overview.get("config_version").asText(), CHECKS);
        assertEquals("api", browser.visible(By.id("source-mode")).getText());
        assertFalse(browser.visible(By.id("uptime")).getText().isBlank());
        for (String chart : List.of("chart-rps", "chart-errors", "chart-latency")) {
            browser.until(d -> !d.findElements(By.cssSelector("#" + chart + " canvas")).isEmpty());
        }
        assertEquals(KEY, browser.sessionStorage().get("tidegate.adminKey"));
        assertFalse(browser.driver().getCurrentUrl().contains(KEY), "the key is never in a URL");
        assertTrue(browser.driver().findElement(By.id("read-only-banner")).getAttribute("hidden") != null,
                "an API-driven gateway is writable: no read-only banner");

        if (screenshots != null) {
            // The charts need a sample with requests in it: the gateway samples every 5 s.
            long until = System.currentTimeMillis() + 12_000;
            while (System.currentTimeMillis() < until && !hasTraffic(api("/traffic"))) {
                Thread.sleep(250);
            }
            browser.open(base + "#/routes");
            browser.open(base + "#/overview");
            browser.visible(By.cssSelector("#chart-rps canvas"));
            Thread.sleep(500);
            browser.screenshot(screenshots.resolve("dashboard-overview.png"));
        }
    }

    @Test
    void routesAreListedAndOneSearchBoxMatchesHostPluginAndUpstream() {
        signIn();
        browser.open(base + "#/routes");
        browser.visible(By.cssSelector("table#list tr[data-id='traced']"));
        List<String> all = shownRows();
        // Another test may have created a route by now; these four are the configuration's own.
        assertEquals(List.of("traced", "hosted", "checked", "switch"), all.subList(0, 4));

        WebElement search = browser.visible(By.id("list-search"));
        search.sendKeys("shop.example");
        assertEquals(List.of("hosted"), shownRows(), "by host");
        search.clear();
        search.sendKeys("recorder");
        assertEquals(List.of("traced"), shownRows(), "by plugin");
        search.clear();
        search.sendKeys("pool-b");
        assertEquals(List.of("hosted"), shownRows(), "by upstream");
        search.clear();
        search.sendKeys("/checked");
        assertEquals(List.of("checked"), shownRows(), "by uri");
        search.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        // Typing fires input events; clearing with keys does too, so every row returns.
        browser.until(d -> shownRows().equals(all));
        assertNoSidewaysScroll();

        if (screenshots != null) {
            browser.screenshot(screenshots.resolve("dashboard-routes.png"));
        }
    }

    @Test
    void aRouteShowsItsEffectivePluginChainInOrder() {
        signIn();
        browser.open(base + "#/routes/traced");
        browser.visible(By.cssSelector("ol#chain li"));
        List<WebElement> chain = browser.driver().findElements(By.cssSelector("ol#chain > li"));
        assertEquals(List.of("early-recorder", "recorder"), chain.stream().map(li -> li.getAttribute("data-plugin")).toList(),
                "global rules first, then the route's own");
        assertTrue(chain.get(0).getText().contains("global_rule g1"), chain.get(0).getText());
        assertTrue(chain.get(1).getText().contains("from route"), chain.get(1).getText());
        assertTrue(browser.present(By.id("edit")) && browser.present(By.id("delete")), "writable: edit and delete");

        if (screenshots != null) {
            browser.screenshot(screenshots.resolve("dashboard-route.png"));
        }
    }

    @Test
    void aFieldTheGatewayRefusesIsShownNextToItAndNothingIsSaved() throws Exception {
        signIn();
        long version = api("/overview").get("config_version").asLong();
        openNewRouteForm("refused", "no-slash", b.address());
        browser.driver().findElement(By.id("review")).click();

        WebElement error = browser.visible(By.cssSelector(".field-error[data-field='uri']"));
        assertFalse(error.getText().isBlank());
        assertEquals("uri", browser.script("return arguments[0].closest('[data-path]').dataset.path", error),
                "the message sits in the uri field");
        assertEquals("true", browser.driver().findElement(By.id("field-uri")).getAttribute("aria-invalid"));
        assertFalse(browser.driver().findElement(By.id("confirm-save")).isDisplayed(), "nothing to confirm");
        assertFalse(config().toString().contains("\"refused\""), "nothing was saved");
        assertEquals(version, api("/overview").get("config_version").asLong(), "the configuration did not change");

        assertNoSidewaysScroll();
        if (screenshots != null) {
            browser.script("window.scrollTo(0, 0)");
            browser.screenshot(screenshots.resolve("dashboard-editor.png"));
        }
    }

    @Test
    void aRouteCreatedThroughTheFormIsServedByTheGateway() throws Exception {
        signIn();
        assertEquals(404, gateway.get("/created").statusCode());
        openNewRouteForm("created", "/created", b.address());
        // Enter in a field submits the form: the review.
        browser.driver().findElement(By.id("field-uri")).sendKeys(Keys.ENTER);

        WebElement diff = browser.visible(By.id("diff"));
        assertTrue(diff.findElements(By.cssSelector(".line.del")).isEmpty(), "a new route removes nothing");
        assertTrue(diff.findElements(By.cssSelector(".line.add")).stream().anyMatch(line -> line.getText().contains("\"/created\"")),
                diff.getText());
        browser.driver().findElement(By.id("confirm-save")).click();
        browser.until(d -> d.findElement(By.id("save-result")).getText().contains("Created route created"));

        HttpResponse<String> served = gateway.get("/created");
        assertEquals(200, served.statusCode(), served.body());
        assertEquals("b", TestGateway.json(served).get("server").asText(), "the node typed into the form answered");
    }

    @Test
    void aNodeThatStopsShowsUnhealthyOnTheUpstreamsPage() {
        signIn();
        browser.open(base + "#/upstreams");
        By doomedHealth = By.cssSelector("[data-upstream='checked'] tr[data-node='" + doomed.address() + "'] .health");
        By aHealth = By.cssSelector("[data-upstream='checked'] tr[data-node='" + a.address() + "'] .health");
        browser.awaitText(doomedHealth, "healthy", CHECKS);

        doomed.close();
        // Active checks every second; the page polls every 2 s, without being reloaded.
        browser.awaitText(doomedHealth, "unhealthy", CHECKS);
        assertEquals("healthy", browser.driver().findElement(aHealth).getText());
        browser.until(d -> d.findElement(By.id("health-events")).getText().contains(doomed.address()));

        if (screenshots != null) {
            browser.screenshot(screenshots.resolve("dashboard-upstreams.png"));
        }
    }

    @Test
    void restoringAnEarlierVersionFromHistoryServesItsBehaviourAgain() throws Exception {
        signIn();
        assertEquals("a", server("/switch"));
        HttpResponse<String> put = apiSend("PUT", "/resources/routes/switch", "{\"uri\": \"/switch\", \"upstream_id\": \"pool-b\"}");
        assertEquals(200, put.statusCode(), put.body());
        awaitServer("/switch", "b");
        JsonNode entries = api("/history").get("entries");
        long before = entries.get(1).get("seq").asLong();

        browser.open(base + "#/history");
        browser.visible(By.cssSelector("table#history tr[data-seq='" + before + "'] button.restore")).click();
        browser.visible(By.id("confirm-restore")).click();
        browser.until(d -> d.findElement(By.id("restore-result")).getText().startsWith("Restored #" + before));

        awaitServer("/switch", "a");
        browser.until(d -> d.findElement(By.cssSelector("table#history tbody tr")).getText().contains("restore"));

        if (screenshots != null) {
            browser.screenshot(screenshots.resolve("dashboard-history.png"));
        }
    }

    @Test
    void signingOutForgetsTheKey() {
        signIn();
        browser.visible(By.id("signout")).click();
        browser.visible(By.id("signin-key"));
        assertNull(browser.sessionStorage().get("tidegate.adminKey"));
        browser.driver().navigate().refresh();
        browser.visible(By.id("signin-key"));
        assertFalse(browser.driver().findElement(By.id("signout")).isDisplayed(), "a reload does not sign in again");
    }

    @Test
    void aKeyRefusedLaterReturnsToTheSignInForm() {
        signIn();
        browser.script("sessionStorage.setItem('tidegate.adminKey', 'a-key-that-was-changed')");
        browser.driver().findElement(By.cssSelector("nav#nav a[href='#/routes']")).click();
        browser.visible(By.id("signin-key"));
        assertTrue(browser.driver().findElement(By.id("signin-error")).getText().contains("refused"));
        assertTrue(browser.sessionStorage().isEmpty());
    }

    @Test
    void aReadOnlyGatewayShowsWhyAndOffersNoEdits() {
        try (TestGateway readOnly = TestGateway.start("""
                tidegate:
                  threads: 1
                  listeners: [{ address: "127.0.0.1:0" }]
                  admin: { address: "127.0.0.1:0", api_key: %s, read_only: true }
                routes:
                  - { id: "1", uri: /ro, upstream: { nodes: { "%s": 1 } } }
                """.formatted(KEY, a.address()))) {
            String readOnlyBase = "http://127.0.0.1:" + readOnly.gateway().adminAddress().getPort() + "/ui/";
            browser.open(readOnlyBase);
            signIn();
            browser.open(readOnlyBase + "#/routes");
            browser.visible(By.cssSelector("table#list tr[data-id='1']"));
            WebElement banner = browser.visible(By.id("read-only-banner"));
            assertTrue(banner.getText().startsWith("Read-only:"), banner.getText());
            assertFalse(browser.present(By.id("new-resource")));
            browser.open(readOnlyBase + "#/routes/1");
            browser.visible(By.cssSelector("ol#chain li, .panel"));
            assertFalse(browser.present(By.id("edit")) || browser.present(By.id("delete")));
            browser.open(readOnlyBase + "#/history");
            browser.visible(By.cssSelector("table#history tr[data-seq]"));
            assertFalse(browser.present(By.cssSelector("button.restore")));
            browser.script("sessionStorage.clear()");
        }
    }

    private static void signIn() {
        browser.visible(By.id("signin-key")).sendKeys(KEY, Keys.ENTER);
        browser.visible(By.id("signout"));
    }

    private static void openNewRouteForm(String id, String uri, String node) {
        browser.open(base + "#/routes/new");
        WebElement idField = browser.visible(By.id("field-id"));
        assertFalse(idField.getAttribute("value").isBlank(), "a new route's id is generated");
        idField.clear();
        idField.sendKeys(id);
        browser.driver().findElement(By.id("field-uri")).sendKeys(uri);
        browser.driver().findElement(By.cssSelector("details[data-path='upstream'] > summary")).click();
        browser.visible(By.id("field-upstream.nodes[0].key")).sendKeys(node);
        browser.driver().findElement(By.id("field-upstream.nodes[0].value")).sendKeys("1");
    }

    /** At 1280x800 the layout fits the width: wide tables scroll inside their own box. */
    private static void assertNoSidewaysScroll() {
        List<?> widths = (List<?>) browser.script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        assertTrue(((Number) widths.get(0)).intValue() <= ((Number) widths.get(1)).intValue(), "page widths " + widths);
    }

    private static List<String> shownRows() {
        return browser.driver().findElements(By.cssSelector("table#list tbody tr[data-id]")).stream()
                .filter(WebElement::isDisplayed).map(row -> row.getAttribute("data-id")).toList();
    }

    private static boolean hasTraffic(JsonNode traffic) {
        for (JsonNode point : traffic.get("points")) {
            if (point.get("requests").asLong() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Which upstream server answers {@code path} (a change is in force once its PUT is answered). */
    private static String server(String path) {
        HttpResponse<String> response = gateway.get(path);
        assertEquals(200, response.statusCode(), response.body());
        return TestGateway.json(response).get("server").asText();
    }

    private static void awaitServer(String path, String expected) throws InterruptedException {
        long until = System.currentTimeMillis() + 5_000;
        String answered = server(path);
        while (!answered.equals(expected) && System.currentTimeMillis() < until) {
            Thread.sleep(50);
            answered = server(path);
        }
        assertEquals(expected, answered, path + " is served by " + expected);
    }

    private static URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.gateway().adminAddress().getPort() + path);
    }

    private static JsonNode api(String path) {
        HttpResponse<String> response = apiSend("GET", path, null);
        assertEquals(200, response.statusCode(), response.body());
        return TestGateway.json(response);
    }

    private static JsonNode config() {
        return api("/config").get("document");
    }

    private static HttpResponse<String> apiSend(String method, String path, String body) {
        return gateway.send(HttpRequest.newBuilder(adminUri("/ui/api" + path)).header("X-API-KEY", KEY)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    /** A relative path is taken from the repository's root (surefire runs in gateway-core/). */
    private static Path repositoryPath(String path) {
        Path given = Path.of(path);
        if (given.isAbsolute()) {
            return given;
        }
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("gateway-core"))) {
            dir = dir.getParent();
        }
        return (dir == null ? Path.of(System.getProperty("user.dir")) : dir).resolve(given);
    }
}
