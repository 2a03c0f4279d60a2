package io.warehouseapi;

import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.snowflake.TestKeys;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Secrets never leave the process: with a known Snowflake private key and passphrase and known API keys, a session of
 * every action, failures, refused and malformed credentials included, is run; then every log line the application
 * wrote (at every level, DEBUG included) and every reply is searched for the passphrase, the private key, its
 * encrypted form, the API keys and the key that signs query ids: none is found.
 */
class SecretsTest extends ApiTestSupport {

    private static final String API_KEY = "sk-live-0123456789abcdefghijklmnop";
    /** A signing key of query ids (api.handles.keys), 32 bytes in base64. */
    private static final String HANDLES_KEY = "c2lnbmluZy1rZXktb2YtcXVlcnktaWRzLTAxMjM0NTY=";
    private final StringWriter logs = new StringWriter();
    private final List<String> replies = new ArrayList<>();
    private Appender appender;

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 2_000;
    }

    @Override
    protected void overrideProperties(Properties properties) {
        properties.setProperty("api.auth.mode", "token");
        properties.setProperty("api.auth.tokens", "ops:" + API_KEY);
        properties.setProperty("api.handles.keys", HANDLES_KEY);
    }

    @Override
    protected void beforeStart() {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        Configuration configuration = logging.getConfiguration();
        appender = WriterAppender.newBuilder().setName("secrets-scan").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c %m%ex%n").build()).build();
        appender.start();
        configuration.getRootLogger().addAppender(appender, org.apache.logging.log4j.Level.ALL, null);
        // DEBUG everywhere but where the application's log configuration pins a level
        configuration.getRootLogger().setLevel(org.apache.logging.log4j.Level.DEBUG);
        logging.updateLoggers();
    }

    @AfterAll
    void removeAppender() {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        logging.getConfiguration().getRootLogger().removeAppender("secrets-scan");
        logging.getConfiguration().getRootLogger().setLevel(org.apache.logging.log4j.Level.INFO);
        logging.updateLoggers();
    }

    private JsonNode request(WsClient ws, String frame) {
        JsonNode reply = ws.request(frame);
        replies.add(reply.toString());
        return reply;
    }

    @Test
    void no_log_line_and_no_reply_carries_a_secret() throws Exception {
        try (WsClient stranger = connect()) {
            request(stranger, "{\"action\":\"auth\",\"token\":\"" + API_KEY.substring(0, API_KEY.length() - 1) + "\"}");
        }
        try (WsClient bad = connect()) {
            request(bad, "{\"action\":\"auth\",\"token\":\"" + TestKeys.PASSPHRASE + "\"}");
        }
        try (WsClient ws = connect()) {
            assertThat(request(ws, "{\"action\":\"auth\",\"token\":\"" + API_KEY + "\"}").path("type").asText())
                    .isEqualTo("authenticated");
            JsonNode results = ws.runView("trip_weather_vw", ",\"request_id\":\"r1\"");
            replies.add(results.toString());
            String queryId = results.path("query_id").asText();
            request(ws, "{\"action\":\"fetch_results\",\"query_id\":\"" + queryId + "\",\"offset\":\"1900\"}");
            request(ws, "{\"action\":\"query_status\",\"query_id\":\"" + queryId + "\"}");
            request(ws, "{\"action\":\"cancel\",\"query_id\":\"" + queryId + "\"}");
            request(ws, "{\"action\":\"list_views\"}");
            ws.send("{\"action\":\"run_view\",\"view_name\":\"failing_vw\"}");
            replies.add(ws.next().toString());
            replies.add(ws.next().toString());
            replies.add(ws.await("error").toString());
            request(ws, "{\"action\":\"run_view\",\"view_name\":\"no_such_view\"}");
            replies.add(ws.next().toString());
            request(ws, "{\"action\":\"auth\",\"token\":\"" + API_KEY + "x\"}");
        }
        String privateKeyFile = Files.readString(dataDir().resolve("rsa_key.p8"));
        List<String> secrets = new ArrayList<>(List.of(TestKeys.PASSPHRASE, API_KEY, HANDLES_KEY,
                API_KEY.substring(0, API_KEY.length() - 1)));
        // the encrypted key file's body and the private key itself, in the base64 lines a PEM would print
        secrets.addAll(base64Lines(privateKeyFile));
        String pkcs8 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
                snowflakePrivateKey().getEncoded());
        secrets.addAll(base64Lines(pkcs8));

        String logText = logs.toString();
        assertThat(logText).as("the scan saw the application's log").contains("authentication refused")
                .contains("query=");
        for (String secret : secrets) {
            assertThat(logText).as("the log").doesNotContain(secret);
            for (String reply : replies) {
                assertThat(reply).as("a reply").doesNotContain(secret);
            }
        }
    }

    private static List<String> base64Lines(String pem) {
        return pem.lines().filter(line -> !line.startsWith("-----") && line.length() >= 16).toList();
    }
}
