package io.warehouseapi;

import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser client against an API that requires a token ({@code api.auth.mode=token}), in a real headless
 * Chromium: without a token it says one is needed and stops reconnecting; with the right one it signs in (the auth
 * message, as a browser cannot set headers on a WebSocket) and runs a view; a wrong one is refused in words. When the
 * server closes its connection (as a replica that stops does), the page reconnects and goes on with the same query id:
 * a running query resumed, the page position kept.
 */
class BrowserTokenTest extends ApiTestSupport {

    private static final String KEY = "dana-key-0123456789abcdefghijkl";

    private WebDriver driver;
    private WebDriverWait wait;

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("api.auth.mode", "token");
        properties.setProperty("api.auth.tokens", "dana:" + KEY);
        properties.setProperty("api.auth.close-grace", "PT0.2S");
    }

    @BeforeEach
    void openPage() throws Exception {
        if (driver == null) {
            driver = Browser.start();
            wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        }
        driver.get("http://127.0.0.1:" + port() + "/");
    }

    @AfterAll
    void closeBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void without_a_token_the_page_says_one_is_needed_and_stays_closed() throws Exception {
        waitForText("connection-state", "The server requires a token: enter one above.");
        assertThat(driver.findElement(By.id("run")).isEnabled()).isFalse();
        // it does not keep reconnecting: the state stays as it is
        Thread.sleep(1500);
        assertThat(text("connection-state")).isEqualTo("The server requires a token: enter one above.");
    }

    @Test
    void with_the_token_the_page_signs_in_and_runs_a_view() {
        signInAndRun("trip_weather_vw");
        waitForText("query-state", "Done");
        assertThat(driver.findElements(By.cssSelector("#table tbody tr"))).hasSize(100);
        assertThat(text("range")).isEqualTo("Rows 1–100 of 20,000");
    }

    @Test
    void a_wrong_token_is_refused_in_words() {
        enterToken(KEY + "x");
        wait.until(ExpectedConditions.textMatches(By.id("connection-state"),
                java.util.regex.Pattern.compile("^The server refused the token: .+")));
        assertThat(driver.findElement(By.id("run")).isEnabled()).isFalse();
        assertThat(driver.getPageSource()).doesNotContain(KEY);
    }

    @Test
    void a_query_running_when_its_connection_closes_is_resumed_by_its_id_not_run_again() {
        signInAndRun("sleepy_vw");
        wait.until(ExpectedConditions.textMatches(By.id("query-id"), java.util.regex.Pattern.compile("^query .+")));
        String queryId = text("query-id");
        // as a replica that stops does: every connection closed with 1001 while the query runs
        bean("connections", io.warehouseapi.transport.Connections.class).closeAll((short) 1001, "Going away");
        waitForText("query-state", "Done");
        assertThat(text("query-id")).isEqualTo(queryId);
        assertThat(driver.findElements(By.cssSelector("#table tbody tr"))).hasSize(1);
        assertThat(text("error-message")).doesNotContain("started again");
    }

    @Test
    void the_page_position_is_kept_across_a_reconnect() {
        signInAndRun("trip_weather_vw");
        waitForText("query-state", "Done");
        String queryId = text("query-id");
        driver.findElement(By.id("next")).click();
        waitForText("range", "Rows 101–200 of 20,000");
        bean("connections", io.warehouseapi.transport.Connections.class).closeAll((short) 1001, "Going away");
        wait.until(ExpectedConditions.not(ExpectedConditions.textToBe(By.id("connection-state"), "Connected")));
        waitForText("connection-state", "Connected");
        assertThat(text("range")).isEqualTo("Rows 101–200 of 20,000");
        driver.findElement(By.id("next")).click();
        waitForText("range", "Rows 201–300 of 20,000");
        assertThat(text("query-id")).isEqualTo(queryId);
    }

    @Test
    void a_token_goes_to_another_endpoint_only_once_the_user_has_confirmed_it() {
        // a link that points the page at another server: the page asks before the token goes there
        driver.get("http://127.0.0.1:" + port() + "/?endpoint=ws://localhost:" + port() + "/ws");
        enterToken(KEY);
        org.openqa.selenium.Alert alert = wait.until(ExpectedConditions.alertIsPresent());
        assertThat(alert.getText()).contains("ws://localhost:" + port()).contains("not the server this page came from");
        alert.dismiss();
        assertThat(driver.findElement(By.id("token")).getAttribute("value")).isEmpty();
        assertThat(text("connection-state")).isNotEqualTo("Connected");
        // the page's own origin needs no confirmation
        driver.get("http://127.0.0.1:" + port() + "/");
        enterToken(KEY);
        waitForText("connection-state", "Connected");
    }

    @Test
    void the_page_is_served_with_a_content_security_policy_and_no_sniffing_or_framing() throws Exception {
        java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port() + "/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        String policy = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(policy).contains("default-src 'self'").contains("frame-ancestors 'none'")
                .contains("connect-src 'self' ws://127.0.0.1:" + port() + " wss://127.0.0.1:" + port());
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        // the page runs under its policy: no violation on load and a view runs
        signInAndRun("trip_weather_vw");
        waitForText("query-state", "Done");
    }

    /** Signs in with the right token and runs a view. */
    private void signInAndRun(String view) {
        enterToken(KEY);
        waitForText("connection-state", "Connected");
        driver.findElement(By.id("view-name")).clear();
        driver.findElement(By.id("view-name")).sendKeys(view);
        driver.findElement(By.id("run")).click();
    }

    private void enterToken(String token) {
        driver.findElement(By.id("token")).sendKeys(token + Keys.TAB);
    }

    private String text(String id) {
        return driver.findElement(By.id(id)).getText();
    }

    private void waitForText(String id, String expected) {
        wait.until(ExpectedConditions.textToBe(By.id(id), expected));
    }
}
