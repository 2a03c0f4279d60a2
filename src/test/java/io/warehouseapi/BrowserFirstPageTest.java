package io.warehouseapi;


import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebDriver;

/**
 * The browser client (a real headless Chromium) on the embedded warehouse, on a result whose first page arrives while
 * the engine stores the rest (a view whose every row costs a few hashes): the rows show at once, "of …" until the
 * count arrives, Next within the first rows works meanwhile, and Last is enabled once the result is complete.
 */
class BrowserFirstPageTest extends ApiTestSupport {

    private static final int ROWS = 3_000_000;
    private WebDriver driver;

    @Override
    protected void overrideProperties(java.util.Properties properties) {
        properties.setProperty("results.first-page-early", "true");
    }

    @Override
    protected void beforeStart() throws Exception {
        executeOnWarehouseFile("CREATE OR REPLACE VIEW hashed_vw AS SELECT i AS N, "
                               + "md5(md5(md5(md5(md5(md5(i::VARCHAR)))))) AS DIGEST FROM range(" + ROWS + ") r(i)");
    }

    @AfterAll
    void closeBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    @Test
    void the_first_rows_show_before_the_count_and_last_waits_for_it() throws Exception {
        driver = Browser.start();
        Browser.showsTheFirstRowsBeforeTheCount(driver, port(), "hashed_vw", "3,000,000", "2,999,901–3,000,000");
    }
}
