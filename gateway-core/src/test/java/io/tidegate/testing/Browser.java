package io.tidegate.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, for browser tests. Both
 * binaries are named explicitly so Selenium Manager never looks for (or downloads) either. Each
 * browser gets a fresh profile folder, deleted on close, and a 1280x800 viewport.
 */
public final class Browser implements AutoCloseable {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    public static final int WIDTH = 1280;
    public static final int HEIGHT = 800;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Path profile;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private Browser(Path profile, ChromeDriverService service, ChromeDriver driver) {
        this.profile = profile;
        this.service = service;
        this.driver = driver;
    }

    /** Whether both binaries are installed (CI installs them; a developer machine may not). */
    public static boolean available() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    public static Browser start() {
        Path profile = TempDirs.create("tidegate-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=" + WIDTH + "," + HEIGHT, "--user-data-dir=" + profile);
        // The page's console, to assert it has no errors: CSP violations and script errors show there.
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
                .usingAnyFreePort()
                .withSilent(true)
                .build();
        ChromeDriver driver;
        try {
            driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            delete(profile);
            throw e;
        }
        Browser browser = new Browser(profile, service, driver);
        browser.viewport(WIDTH, HEIGHT);
        return browser;
    }

    /** Sizes the window so the page itself (not the window with its frame) is width x height. */
    public void viewport(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
        List<?> inner = (List<?>) script("return [window.innerWidth, window.innerHeight]");
        int innerWidth = ((Number) inner.get(0)).intValue();
        int innerHeight = ((Number) inner.get(1)).intValue();
        if (innerWidth != width || innerHeight != height) {
            driver.manage().window().setSize(new Dimension(2 * width - innerWidth, 2 * height - innerHeight));
        }
    }

    public WebDriver driver() {
        return driver;
    }

    public void open(String url) {
        driver.get(url);
    }

    public Object script(String javascript, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(javascript, args);
    }

    /** Waits until the condition gives something other than null or false, and returns it. */
    public <T> T until(Function<WebDriver, T> condition) {
        return until(condition, WAIT);
    }

    public <T> T until(Function<WebDriver, T> condition, Duration timeout) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    /** The element, once it is displayed. */
    public WebElement visible(By by) {
        return until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** Waits until the element's text is exactly {@code text} (elements a page re-renders are looked up again). */
    public void awaitText(By by, String text, Duration timeout) {
        until(d -> {
            List<WebElement> found = d.findElements(by);
            return !found.isEmpty() && found.get(0).getText().trim().equals(text);
        }, timeout);
    }

    public boolean present(By by) {
        return !driver.findElements(by).isEmpty();
    }

    /**
     * The console's errors since the last call: script errors and CSP violations. Requests the
     * server answered with a 4xx are left out: the dashboard asks, gets a 400 or 401 on purpose
     * (a wrong key, a field the server refuses) and shows it, and Chromium logs each such answer.
     */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !message.matches("(?s).*Failed to load resource: the server responded with a status of 4\\d\\d.*"))
                .toList();
    }

    /** The sessionStorage of the page shown, as a map. */
    @SuppressWarnings("unchecked")
    public Map<String, String> sessionStorage() {
        return (Map<String, String>) script("return Object.fromEntries(Object.entries(sessionStorage))");
    }

    /** A PNG of the viewport. */
    public void screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            delete(profile);
        }
    }

    private static void delete(Path dir) {
        TempDirs.deleteTree(dir);
    }
}
