package io.warehouseapi;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

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
}
