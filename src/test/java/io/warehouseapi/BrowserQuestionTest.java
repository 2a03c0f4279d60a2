package io.warehouseapi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Asking a question from the browser client in a real headless Chromium: choose columns, add a filter, sort by a
 * column header (ascending, descending, off) from the keyboard, see a refused value's error beside its control, and
 * download the result on screen as CSV, compared with the same question asked of DuckDB.
 */
class BrowserQuestionTest extends ApiTestSupport {

    private WebDriver driver;
    private WebDriverWait wait;

    private Path downloads() {
        return dataDir().resolve("downloads");
    }

    @BeforeEach
    void openPage() throws Exception {
        if (driver == null) {
            Files.createDirectories(downloads());
            driver = Browser.start(downloads());
            wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        }
        driver.get("http://127.0.0.1:" + port() + "/");
        wait.until(ExpectedConditions.textToBe(By.id("connection-state"), "Connected"));
        WebElement view = driver.findElement(By.id("view-name"));
        view.clear();
        view.sendKeys("question_vw");
        wait.until(ExpectedConditions.elementToBeClickable(By.id("add-filter")));
    }

    @AfterAll
    void closeBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    private void chooseColumns(String... names) {
        driver.findElement(By.id("columns-summary")).click();
        for (String name : names) {
            driver.findElement(By.cssSelector("#columns input[value='" + name + "']")).click();
        }
    }

    /** Adds a filter row and fills it in; returns the row. */
    private WebElement addFilter(String column, String operator, String value) {
        driver.findElement(By.id("add-filter")).click();
        List<WebElement> rows = driver.findElements(By.cssSelector("#filters .filter"));
        WebElement row = rows.get(rows.size() - 1);
        new Select(row.findElement(By.cssSelector("select[aria-label='Column']"))).selectByValue(column);
        new Select(row.findElement(By.cssSelector("select[aria-label='Operator']"))).selectByValue(operator);
        WebElement input = row.findElement(By.cssSelector("input[aria-label='Value']"));
        input.clear();
        input.sendKeys(value);
        return row;
    }

    private void run() {
        wait.until(ExpectedConditions.elementToBeClickable(By.id("run"))).click();
        waitForDone();
    }

    private void waitForDone() {
        wait.until(ExpectedConditions.textToBe(By.id("query-state"), "Done"));
    }

    private List<String> headers() {
        List<String> names = new ArrayList<>();
        for (WebElement button : driver.findElements(By.cssSelector("#table thead button.sort"))) {
            names.add(button.getAttribute("data-column"));
        }
        return names;
    }

    private List<String> column(int index) {
        List<String> values = new ArrayList<>();
        for (WebElement row : driver.findElements(By.cssSelector("#table tbody tr"))) {
            values.add(row.findElements(By.tagName("td")).get(index).getText());
        }
        return values;
    }

    @Test
    void choose_columns_filter_and_sort_by_clicking_headers_from_the_keyboard() throws Exception {
        chooseColumns("label", "id");
        addFilter("id", "lt", "20");
        run();
        // in the view's order
        assertThat(headers()).containsExactly("id", "label");
        assertThat(driver.findElement(By.id("range")).getText()).isEqualTo("Rows 1–20 of 20");

        // sort by id from the keyboard: focus its header, Enter: ascending; Enter again: descending; again: off
        WebElement idHeader = driver.findElement(By.cssSelector("#table thead button[data-column='id']"));
        idHeader.sendKeys(Keys.ENTER);
        waitForSorted("id", "ascending");
        assertThat(column(0)).first().isEqualTo("0");
        focusedHeader().sendKeys(Keys.ENTER);
        waitForSorted("id", "descending");
        assertThat(column(0)).first().isEqualTo("19");
        assertThat(column(0)).isSortedAccordingTo((a, b) -> Integer.compare(Integer.parseInt(b), Integer.parseInt(a)));
        focusedHeader().sendKeys(Keys.ENTER);
        waitForSorted("id", "none");

        // a text column sorts as the engine sorts it, nulls last
        driver.findElement(By.cssSelector("#table thead button[data-column='label']")).click();
        waitForSorted("label", "ascending");
        List<String> expected = new ArrayList<>();
        try (var connection = java.sql.DriverManager.getConnection("jdbc:duckdb:" + warehouseFile());
             var statement = connection.createStatement();
             var rs = statement.executeQuery("SELECT coalesce(label, 'NULL') FROM question_vw WHERE id < 20 "
                                             + "ORDER BY label ASC NULLS LAST")) {
            while (rs.next()) {
                expected.add(rs.getString(1));
            }
        }
        assertThat(column(1)).isEqualTo(expected);
        Files.createDirectories(Path.of("target", "screenshots"));
        Path shot = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(org.openqa.selenium.OutputType.FILE)
                .toPath();
        Files.copy(shot, Path.of("target", "screenshots", "client-question.png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private WebElement focusedHeader() {
        return driver.switchTo().activeElement();
    }

    private void waitForSorted(String column, String direction) {
        wait.until(d -> {
            waitForDone();
            List<WebElement> th = d.findElements(By.cssSelector("#table thead th"));
            for (WebElement header : th) {
                if (header.findElement(By.cssSelector("button.sort")).getAttribute("data-column").equals(column)) {
                    return direction.equals(header.getAttribute("aria-sort"))
                           && d.switchTo().activeElement().getAttribute("data-column") != null;
                }
            }
            return false;
        });
    }

    @Test
    void a_value_that_does_not_fit_its_column_is_shown_beside_it() {
        WebElement row = addFilter("id", "eq", "forty-two");
        driver.findElement(By.id("run")).click();
        WebElement error = row.findElement(By.cssSelector(".field-error"));
        wait.until(ExpectedConditions.visibilityOf(error));
        assertThat(error.getText()).contains("id holds numbers");
        assertThat(row.findElement(By.cssSelector("input[aria-label='Value']")).getAttribute("aria-invalid"))
                .isEqualTo("true");
        // one the server refuses (a date that does not exist) is shown beside its control too
        row.findElement(By.cssSelector("button")).click();
        WebElement day = addFilter("day", "eq", "2018-02-30");
        driver.findElement(By.id("run")).click();
        WebElement dayError = day.findElement(By.cssSelector(".field-error"));
        wait.until(ExpectedConditions.visibilityOf(dayError));
        assertThat(dayError.getText()).startsWith("filters.value must be an ISO-8601 date string");
        assertThat(driver.findElement(By.id("error")).isDisplayed()).isFalse();
    }

    @Test
    void a_reconnect_keeps_the_question_being_written() {
        chooseColumns("id");
        addFilter("id", "gt", "150");
        io.warehouseapi.transport.Connections connections = bean("connections",
                io.warehouseapi.transport.Connections.class);
        assertThat(connections.closeAll((short) 1012, "restarting")).isEqualTo(1);
        wait.until(ExpectedConditions.textMatches(By.id("connection-state"),
                java.util.regex.Pattern.compile("reconnecting|Connected")));
        wait.until(ExpectedConditions.textToBe(By.id("connection-state"), "Connected"));
        assertThat(driver.findElements(By.cssSelector("#filters .filter"))).hasSize(1);
        assertThat(driver.findElement(By.id("columns-summary")).getText()).isEqualTo("Columns: id");
        run();
        assertThat(driver.findElement(By.id("range")).getText()).isEqualTo("Rows 1–49 of 49");
    }

    @Test
    void download_csv_saves_the_result_on_screen() throws Exception {
        chooseColumns("id", "label");
        addFilter("label", "starts_with", "station 1");
        run();
        driver.findElement(By.id("download-csv")).click();
        Path[] csv = new Path[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            try (var files = Files.list(downloads())) {
                csv[0] = files.filter(f -> f.getFileName().toString().matches("QUESTION_VW-\\d{8}T\\d{6}Z\\.csv"))
                        .findFirst().orElse(null);
            }
            return csv[0] != null;
        });
        List<String> lines = Files.readAllLines(csv[0]);
        assertThat(lines.get(0)).isEqualTo("id,label");
        assertThat(lines).hasSize(1 + (int) queryLong(
                "SELECT count(*) FROM question_vw WHERE starts_with(label, 'station 1')"));
        assertThat(lines.subList(1, lines.size())).allSatisfy(line -> assertThat(line).contains(",station 1"));
    }
}
