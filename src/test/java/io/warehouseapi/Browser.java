package io.warehouseapi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/** A real headless Chromium (Debian's chromium and chromedriver) for the browser client's tests. */
final class Browser {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private Browser() {
    }

    /**
     * Starts Chromium; skips the calling test when it is not installed, unless {@code browser.tests.required} (set
     * in CI) makes that a failure.
     */
    static WebDriver start() throws Exception {
        return start(null);
    }

    /** Starts Chromium with downloads saved, without asking, to {@code downloads} (if not null). */
    static WebDriver start(Path downloads) throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && Boolean.getBoolean("browser.tests.required")) {
            throw new IllegalStateException("chromium and chromium-driver are required (apt-get install chromium chromium-driver)");
        }
        Assumptions.assumeTrue(installed, "chromium and chromium-driver are not installed; browser tests skipped");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,800",
                "--user-data-dir=" + Files.createTempDirectory("chromium-profile"));
        if (downloads != null) {
            options.setExperimentalOption("prefs", java.util.Map.of(
                    "download.default_directory", downloads.toAbsolutePath().toString(),
                    "download.prompt_for_download", false));
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /**
     * Runs {@code view} in the browser client served on {@code port} and checks a first page that comes before the
     * count: its 100 rows show at once, "of …" until the count arrives, Next (within rows already stored) works
     * meanwhile, and Last is enabled once the result is complete, {@code total} rows as the client formats them
     * (such as "5,000"), its last page {@code lastRange} (such as "4,901–5,000").
     */
    static void showsTheFirstRowsBeforeTheCount(WebDriver driver, int port, String view, String total,
                                                String lastRange) {
        WebDriverWait wait =
                new WebDriverWait(driver, Duration.ofSeconds(60));
        driver.get("http://127.0.0.1:" + port + "/");
        wait.until(ExpectedConditions.textToBe(
                By.id("connection-state"), "Connected"));
        driver.findElement(By.id("view-name")).clear();
        driver.findElement(By.id("view-name")).sendKeys(view);
        wait.until(ExpectedConditions.elementToBeClickable(
                By.id("run"))).click();

        wait.until(ExpectedConditions.textToBe(
                By.id("range"), "Rows 1–100 of …"));
        assertThat(driver.findElements(
                By.cssSelector("#table tbody tr"))).hasSize(100);
        assertThat(driver.findElement(
                By.id("query-state")).getText()).isNotEqualTo("Done");
        assertThat(driver.findElement(
                By.id("last")).isEnabled()).isFalse();
        assertThat(driver.findElement(
                By.id("next")).isEnabled()).isTrue();
        driver.findElement(By.id("next")).click();
        wait.until(ExpectedConditions.textToBe(
                By.id("range"), "Rows 101–200 of …"));

        wait.until(ExpectedConditions.textToBe(
                By.id("query-state"), "Done"));
        assertThat(driver.findElement(
                By.id("range")).getText()).isEqualTo("Rows 101–200 of " + total);
        wait.until(ExpectedConditions.elementToBeClickable(
                By.id("last"))).click();
        wait.until(ExpectedConditions.textToBe(
                By.id("range"), "Rows " + lastRange + " of " + total));
    }
}
