package io.warehouseapi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.warehouseapi.transport.Connections;
import io.warehouseapi.warehouse.Warehouse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The browser client in a real headless Chromium (Debian's chromium and chromedriver): run a view, read and page its
 * rows, see errors, cancel, and survive a dropped connection. Writes screenshots to {@code target/screenshots/}.
 */
class BrowserClientTest extends ApiTestSupport {

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private WebDriver driver;
    private WebDriverWait wait;

    @BeforeEach
    void openPage() throws Exception {
        if (driver == null) {
            driver = Browser.start();
            wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        }
        driver.manage().window().setSize(new Dimension(1280, 800));
        driver.get("http://127.0.0.1:" + port() + "/");
        waitForText("connection-state", "Connected");
    }

    @AfterAll
    void closeBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void run_a_view_read_100_rows_and_page_next_and_last() throws Exception {
        runView("trip_weather_vw");
        waitForText("query-state", "Done");

        List<WebElement> headers = driver.findElements(By.cssSelector("#table thead th"));
        assertThat(headers).hasSize(35);
        assertThat(headers.get(0).getText()).startsWith("TRIPDURATION").contains("INTEGER");
        assertThat(headers.get(1).getText()).startsWith("STARTTIME").contains("TIMESTAMP");
        assertThat(headers.get(34).getText()).startsWith("WIND_SPEED");
        assertThat(rows()).hasSize(100);
        assertThat(text("range")).isEqualTo("Rows 1–100 of 20,000");
        WebElement firstCell = driver.findElement(By.cssSelector("#table tbody tr td"));
        assertThat(firstCell.getAttribute("class")).contains("num");
        assertThat(driver.findElement(By.cssSelector("#table tbody tr td:nth-child(2)")).getText())
                .matches("2018-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
        assertThat(text("elapsed")).matches("\\d+\\.\\d s");

        // wide results scroll inside their box, not the page
        JavascriptExecutor js = (JavascriptExecutor) driver;
        assertThat((Boolean) js.executeScript(
                "const s = document.querySelector('.table-scroll'); return s.scrollWidth > s.clientWidth;")).isTrue();
        assertThat((Boolean) js.executeScript(
                "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;")).isTrue();
        screenshot("client-desktop.png");

        click("next");
        waitForText("range", "Rows 101–200 of 20,000");
        assertThat(text("page-time")).matches("page in \\d+ ms");
        click("last");
        waitForText("range", "Rows 19,901–20,000 of 20,000");
        assertThat(rows()).hasSize(100);
        assertThat(driver.findElement(By.id("next")).isEnabled()).isFalse();
        click("previous");
        waitForText("range", "Rows 19,801–19,900 of 20,000");
        click("first");
        waitForText("range", "Rows 1–100 of 20,000");
        assertThat(driver.findElement(By.id("previous")).isEnabled()).isFalse();

        driver.manage().window().setSize(new Dimension(390, 844));
        assertThat((Boolean) js.executeScript(
                "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;")).isTrue();
        screenshot("client-phone.png");
    }

    @Test
    void a_missing_view_shows_the_error_in_words_and_the_page_stays_usable() {
        runView("no_such_view");
        waitForText("query-state", "Failed");
        WebElement error = driver.findElement(By.id("error"));
        wait.until(ExpectedConditions.visibilityOf(error));
        assertThat(text("error-code")).isEqualTo("VIEW_NOT_FOUND");
        assertThat(text("error-message")).contains("There is no exposed view of that name");

        runView("trip_weather_vw");
        waitForText("query-state", "Done");
        assertThat(error.isDisplayed()).isFalse();
        assertThat(rows()).hasSize(100);
    }

    @Test
    void cancel_stops_a_long_query() {
        Warehouse warehouse = bean("warehouse", Warehouse.class);
        runView("slow_vw");
        waitForText("query-state", "Running");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("cancel")));
        await().atMost(Duration.ofSeconds(20)).until(() -> warehouse.runningStatements() == 1);
        click("cancel");
        waitForText("query-state", "Cancelled");
        await().atMost(Duration.ofSeconds(10)).until(() -> warehouse.runningStatements() == 0);
        assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();
    }

    @Test
    void a_connection_dropped_mid_query_is_noticed_and_the_page_resumes() {
        Connections connections = bean("connections", Connections.class);
        runView("sleepy_vw");
        waitForText("query-state", "Running");

        assertThat(connections.closeAll((short) 1012, "restarting")).isEqualTo(1);
        wait.until(ExpectedConditions.textMatches(By.id("connection-state"), java.util.regex.Pattern.compile("reconnecting|Connected")));
        waitForText("connection-state", "Connected");
        wait.withTimeout(Duration.ofSeconds(60));
        waitForText("query-state", "Done");
        assertThat(rows()).hasSize(1);
        assertThat(text("error-message")).contains("connection was lost");
        assertThat(driver.findElement(By.cssSelector("#table thead th")).getText()).startsWith("n");
    }

    @Test
    void the_form_is_labelled_and_runs_from_the_keyboard() {
        for (String id : List.of("endpoint", "view-name", "page-size")) {
            assertThat(driver.findElements(By.cssSelector("label[for='" + id + "']"))).hasSize(1);
        }
        WebElement view = driver.findElement(By.id("view-name"));
        view.clear();
        view.sendKeys("weather_vw", Keys.ENTER);
        waitForText("query-state", "Done");
        assertThat(text("range")).isEqualTo("Rows 1–100 of 8,760");
        assertThat(driver.findElement(By.id("endpoint")).getAttribute("value"))
                .isEqualTo("ws://127.0.0.1:" + port() + "/ws");
    }

    /**
     * The page's own connection class (client/js/api.js) in Chromium, with 28 requests in flight at once: pages of
     * 100 and 1,000 rows (about 800 KB, a dozen WebSocket frames), list_views and query_status (about 6 MB in all,
     * within the default api.max-outbound-bytes). Each reply reaches its
     * own request whole; the connection stays open.
     */
    @Test
    void the_page_connection_keeps_many_large_replies_in_flight_apart() {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        Object outcome = js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/js/api.js').then(({ ApiConnection }) => {
                  const api = new ApiConnection(`ws://${location.host}/ws`);
                  const answers = [];
                  api.addEventListener('open', () => {
                    const runId = api.request('run_view', { view_name: 'trip_weather_vw', page_size: 1000 }, (first) => {
                      if (first.type !== 'results') {
                        if (first.type === 'error' || first.type === 'disconnected') done('run_view: ' + JSON.stringify(first));
                        return;
                      }
                      api.forget(runId);
                      const asked = [];
                      for (let i = 0; i < 20; i++) {
                        asked.push(['results', (i * 997) % 19000, i % 3 === 0 ? 1000 : 100]);
                        if (i % 5 === 2) asked.push(['views', null]);
                        if (i % 5 === 4) asked.push(['status', null]);
                      }
                      let left = asked.length;
                      asked.forEach(([type, offset, size]) => {
                        const expect = (reply) => {
                          const ok = reply.type === type && (type !== 'results'
                            || (reply.offset === offset && reply.row_count === size && reply.results.length === size))
                            && (type !== 'status' || reply.status === 'SUCCESS');
                          answers.push(ok ? 'ok' : reply.type + ' ' + JSON.stringify(reply).slice(0, 200));
                          if (--left === 0) {
                            api.stopped = true;
                            api.socket.close(1000, 'done');
                            done(answers.join('\\n'));
                          }
                        };
                        if (type === 'results') {
                          api.request('fetch_results', { query_id: first.query_id, offset, page_size: size }, expect);
                        } else if (type === 'views') {
                          api.request('list_views', {}, expect);
                        } else {
                          api.request('query_status', { query_id: first.query_id }, expect);
                        }
                      });
                    });
                  });
                  api.connect();
                }).catch((e) => done('import failed: ' + e));
                """);
        List<String> answers = List.of(String.valueOf(outcome).split("\\n"));
        assertThat(answers).hasSize(28).containsOnly("ok");
    }

    private void runView(String name) {
        WebElement view = driver.findElement(By.id("view-name"));
        view.clear();
        view.sendKeys(name);
        wait.until(ExpectedConditions.elementToBeClickable(By.id("run"))).click();
    }

    private List<WebElement> rows() {
        return driver.findElements(By.cssSelector("#table tbody tr"));
    }

    private String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    private void click(String id) {
        wait.until(ExpectedConditions.elementToBeClickable(By.id(id))).click();
    }

    private void waitForText(String id, String expected) {
        wait.until(ExpectedConditions.textToBe(By.id(id), expected));
    }

    private void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Path file = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(file, SCREENSHOTS.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
