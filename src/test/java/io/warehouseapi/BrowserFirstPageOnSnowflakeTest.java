package io.warehouseapi;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser client (a real headless Chromium) on a result whose first page arrives while the rest is still copied
 * from Snowflake (the double's storage serves the chunks slowly): the rows show at once, "of …" until the count
 * arrives, Next works meanwhile, and Last is enabled once the result is complete.
 */
class BrowserFirstPageOnSnowflakeTest extends ApiTestSupport {

    private WebDriver driver;

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }

    @Override
    protected void overrideProperties(java.util.Properties properties) {
        properties.setProperty("results.first-page-early", "true");
    }

    @AfterAll
    void closeBrowser() {
        snowflake.chunkFetchDelay(Duration.ZERO);
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void the_first_rows_show_before_the_count_and_last_waits_for_it() throws Exception {
        // each of the 7 chunk files after the answer's own 300 rows takes 3 s to fetch
        snowflake.chunkFetchDelay(Duration.ofSeconds(3));
        driver = Browser.start();
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        driver.get("http://127.0.0.1:" + port() + "/");
        wait.until(ExpectedConditions.textToBe(By.id("connection-state"), "Connected"));
        driver.findElement(By.id("view-name")).clear();
        driver.findElement(By.id("view-name")).sendKeys("trip_weather_vw");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("run"))).click();

        wait.until(ExpectedConditions.textToBe(By.id("range"), "Rows 1–100 of …"));
        assertThat(driver.findElements(By.cssSelector("#table tbody tr"))).hasSize(100);
        assertThat(driver.findElement(By.id("query-state")).getText()).isNotEqualTo("Done");
        assertThat(driver.findElement(By.id("last")).isEnabled()).isFalse();
        assertThat(driver.findElement(By.id("next")).isEnabled()).isTrue();
        // the rows after them, stored with the first chunk, before the count is known
        driver.findElement(By.id("next")).click();
        wait.until(ExpectedConditions.textToBe(By.id("range"), "Rows 101–200 of …"));

        wait.until(ExpectedConditions.textToBe(By.id("query-state"), "Done"));
        assertThat(driver.findElement(By.id("range")).getText()).isEqualTo("Rows 101–200 of 5,000");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("last"))).click();
        wait.until(ExpectedConditions.textToBe(By.id("range"), "Rows 4,901–5,000 of 5,000"));
    }
}
