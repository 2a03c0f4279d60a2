package io.warehouseapi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded result store on a disk that fills up, for real (a small tmpfs; mounting one needs root, which CI has):
 * the query that does not fit fails with a clear QUERY_FAILED that names no server path, the results stored before
 * it stay readable, and once the operator frees space (here: deletes a ballast file) new results are stored again.
 */
class FullDiskTest extends ApiTestSupport {

    private Path mount;

    private Path mount() {
        if (mount == null) {
            mount = Path.of("target", "test-data", "FullDiskTest-store").toAbsolutePath();
        }
        return mount;
    }

    @Override
    protected void overrideProperties(Properties properties) {
        // a small memory budget, so that results spill to the small disk
        properties.setProperty("results.spill-directory", mount().resolve("spill").toString());
        properties.setProperty("results.memory-limit", "128MB");
    }

    @Override
    protected void beforeStart() throws Exception {
        Files.createDirectories(mount());
        run("umount", "-l", mount().toString());
        boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=10m", "tmpfs", mount().toString()) == 0;
        if (!mounted && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI runs as root and must be able to mount a tmpfs for this test");
        }
        Assumptions.assumeTrue(mounted, "mounting a tmpfs needs root");
        Files.write(ballast(), new byte[4 << 20]);
    }

    /** What fills most of the disk; the operator's to delete. */
    private Path ballast() {
        return mount().resolve("ballast.bin");
    }

    @AfterAll
    void unmount() throws Exception {
        if (context != null) {
            context.stop();
        }
        run("umount", "-l", mount().toString());
    }

    private static int run(String... command) throws IOException, InterruptedException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
    }

    @Test
    void a_result_that_does_not_fit_fails_clearly_and_the_store_keeps_working() throws Exception {
        try (WsClient filler = connect()) {
            String first = null;
            JsonNode failure = null;
            for (int i = 0; i < 30 && failure == null; i++) {
                filler.send("{\"action\":\"run_view\",\"view_name\":\"trip_weather_vw\",\"fresh\":true}");
                filler.next("submitted");
                filler.next("running");
                JsonNode reply = filler.next();
                while ("progress".equals(reply.path("type").asText())) {
                    reply = filler.next();
                }
                if ("results".equals(reply.path("type").asText())) {
                    first = first == null ? reply.path("query_id").asText() : first;
                } else {
                    failure = reply;
                }
            }
            assertThat(first).as("at least one result fitted").isNotNull();
            assertThat(failure).as("the disk filled up within 30 results").isNotNull();
            assertThat(failure.path("code").asText()).isEqualTo("QUERY_FAILED");
            assertThat(failure.path("message").asText()).contains("out of disk space")
                    .doesNotContain(mount().toString()).doesNotContain(".duckdb");

            JsonNode page = filler.request("{\"action\":\"fetch_results\",\"query_id\":\"" + first
                                           + "\",\"offset\":\"19900\"}");
            assertThat(page.path("type").asText()).as(page.toString()).isEqualTo("results");
            assertThat(page.path("row_count").asInt()).isEqualTo(100);
        }
        Files.delete(ballast());
        try (WsClient ws = connect()) {
            JsonNode results = ws.runView("weather_vw", "");
            assertThat(results.path("row_count").asInt()).isEqualTo(100);
            assertThat(ws.request("{\"action\":\"fetch_results\",\"query_id\":\"" + results.path("query_id").asText()
                                  + "\",\"offset\":8700}").path("row_count").asInt()).isEqualTo(60);
        }
    }
}
