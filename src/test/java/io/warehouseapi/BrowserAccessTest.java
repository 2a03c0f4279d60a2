package io.warehouseapi;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser client (Chromium) under access policies: it offers only the views and columns the signed-in principal
 * may see, and says so when a view it offered is no longer available after the policies changed.
 */
class BrowserAccessTest extends ApiTestSupport {

    private static final String KEY = "pia-key-0123456789abcdefghijklmn";
    private static final String POLICIES = """
            roles:
              partner:
                views:
                  TRIP_WEATHER_VW:
                    columns: [STARTTIME, STOPTIME, START_STATION_NAME, END_STATION_NAME, TRIPDURATION, USERTYPE]
                    rows: {"column": "START_STATION_ID", "op": "in", "claim": "stations"}
            """;

    private Path policies;
    private WebDriver driver;

    @Override
    protected void overrideProperties(Properties properties) {
        try {
            Path keys = filesDir().resolve("browser-keys.txt");
            Files.writeString(keys, "pia:" + KEY + " {\"roles\":\"partner\",\"stations\":[101,102,103]}\n",
                    StandardCharsets.UTF_8);
            policies = filesDir().resolve("browser-policies.yaml");
            Files.writeString(policies, POLICIES, StandardCharsets.UTF_8);
            properties.setProperty("api.auth.mode", "token");
            properties.setProperty("api.auth.tokens-file", keys.toString());
            properties.setProperty("api.access.policies-file", policies.toString());
            properties.setProperty("api.access.reload-interval", "200");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void closeBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void the_page_offers_what_the_principal_may_see_and_says_when_a_view_is_gone() throws Exception {
        driver = Browser.start();
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        driver.get("http://127.0.0.1:" + port() + "/");
        driver.findElement(By.id("token")).sendKeys(KEY + Keys.TAB);
        wait.until(ExpectedConditions.textToBe(By.id("connection-state"), "Connected"));
        wait.until(d -> options().size() == 1);
        assertThat(options().get(0).getAttribute("value")).isEqualTo("trip_weather_vw");
        assertThat(options().get(0).getAttribute("label")).isEqualTo("TRIP_WEATHER_VW (6 columns)");

        driver.findElement(By.id("view-name")).clear();
        driver.findElement(By.id("view-name")).sendKeys("trip_weather_vw");
        driver.findElement(By.id("run")).click();
        wait.until(ExpectedConditions.textToBe(By.id("query-state"), "Done"));
        long expected = queryLong("SELECT count(*) FROM trip_weather_vw WHERE START_STATION_ID IN (101, 102, 103)");
        assertThat(driver.findElements(By.cssSelector("#table thead th"))).hasSize(6);
        assertThat(driver.findElement(By.id("range")).getText()).endsWith("of " + expected);

        // the partner's view is taken away and another granted
        Files.writeString(policies, POLICIES.replace("TRIP_WEATHER_VW:\n        columns: [STARTTIME, STOPTIME, "
                                                     + "START_STATION_NAME, END_STATION_NAME, TRIPDURATION, USERTYPE]\n"
                                                     + "        rows: {\"column\": \"START_STATION_ID\", \"op\": \"in\", "
                                                     + "\"claim\": \"stations\"}", "WEATHER_VW: {}"),
                StandardCharsets.UTF_8);
        assertThat(Files.readString(policies)).contains("WEATHER_VW: {}").doesNotContain("TRIP_WEATHER_VW");
        try (WsClient pia = connect()) {
            pia.request("{\"action\":\"auth\",\"token\":\"" + KEY + "\"}");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pia.request(
                    "{\"action\":\"list_views\"}").toString().contains("WEATHER_VW"));
        }
        driver.findElement(By.id("run")).click();
        wait.until(ExpectedConditions.textToBe(By.id("error-message"),
                "The view trip_weather_vw is no longer available to you; the list of views is updated."));
        wait.until(d -> options().size() == 1 && "weather_vw".equals(options().get(0).getAttribute("value")));
    }

    private List<WebElement> options() {
        return driver.findElements(By.cssSelector("#view-list option"));
    }
}
