package io.warehouseapi;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebDriver;

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
        Browser.showsTheFirstRowsBeforeTheCount(driver, port(), "trip_weather_vw", "5,000", "4,901–5,000");
    }
}
