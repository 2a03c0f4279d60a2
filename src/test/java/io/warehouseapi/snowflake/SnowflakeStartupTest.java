package io.warehouseapi.snowflake;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Properties;

import io.warehouseapi.settings.StartupException;
import io.warehouseapi.warehouse.WarehouseUnreachableException;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each way the Snowflake settings can be wrong stops the start with one line naming the setting, without the key or
 * the passphrase; and right settings sign in with the key pair, once, through the real driver.
 */
class SnowflakeStartupTest {

    @TempDir
    Path dir;
    private KeyPair keys;
    private FakeSnowflake fake;
    private DefaultCamelContext context;

    @BeforeEach
    void start() throws Exception {
        keys = TestKeys.rsa();
        fake = new FakeSnowflake("testacct", "api_user", keys.getPublic(), dir.resolve("sample.duckdb"));
        context = new DefaultCamelContext();
    }

    @AfterEach
    void stop() throws Exception {
        fake.close();
        context.close();
    }

    private Properties settings(Path keyFile, String passphrase) {
        Properties p = new Properties();
        p.setProperty("warehouse.snowflake.url", fake.jdbcUrl());
        p.setProperty("warehouse.snowflake.account", "testacct");
        p.setProperty("warehouse.snowflake.user", "api_user");
        p.setProperty("warehouse.snowflake.database", "CITIBIKE");
        p.setProperty("warehouse.snowflake.login-timeout", "5");
        p.setProperty("warehouse.snowflake.private-key-file", keyFile.toString());
        if (passphrase != null) {
            p.setProperty("warehouse.snowflake.private-key-passphrase", passphrase);
        }
        return p;
    }

    private SnowflakeSettings read(Properties properties) {
        context.getPropertiesComponent().setInitialProperties(properties);
        return SnowflakeSettings.from(context.getPropertiesComponent());
    }

    private Path write(String name, String pem) throws Exception {
        return Files.writeString(dir.resolve(name), pem);
    }

    @Test
    void right_settings_sign_in_with_a_key_pair_jwt_and_reuse_the_sessions() throws Exception {
        Path key = write("rsa_key.p8", TestKeys.encryptedPkcs8(keys.getPrivate(), TestKeys.PASSPHRASE));
        try (var dataSource = read(settings(key, TestKeys.PASSPHRASE)).dataSource()) {
            try (var connection = dataSource.getConnection()) {
                assertThat(connection.isValid(5)).isTrue();
            }
            for (int i = 0; i < 20; i++) {
                try (var connection = dataSource.getConnection()) {
                    assertThat(connection.isValid(5)).isTrue();
                }
            }
            // pooled sessions (at most warehouse.snowflake.pool-size, 4), not a sign-in per use
            assertThat(fake.logins.get()).isBetween(1, 4);
        }
        assertThat(fake.loginFailures).isEmpty();
    }

    @Test
    void the_configured_account_signs_in_whatever_the_urls_host_and_queries_outlive_their_session() throws Exception {
        Path key = write("rsa_key.p8", TestKeys.encryptedPkcs8(keys.getPrivate(), TestKeys.PASSPHRASE));
        Properties properties = settings(key, TestKeys.PASSPHRASE);
        // a host that is not <account>.snowflakecomputing.com, as a proxy's: the driver would take "127" for the account
        properties.setProperty("warehouse.snowflake.url", fake.jdbcUrlWithoutAccount());
        try (var dataSource = read(properties).dataSource(); var connection = dataSource.getConnection()) {
            assertThat(connection.isValid(5)).isTrue();
        }
        assertThat(fake.loginFailures).isEmpty();
        assertThat(fake.loginSessionParameters).isNotEmpty().allSatisfy(parameters -> {
            assertThat(parameters.path("ABORT_DETACHED_QUERY").asText()).isEqualToIgnoringCase("false");
            // a query that outlives the API is stopped by Snowflake a minute after the API's timeout (PT30M)
            assertThat(parameters.path("STATEMENT_TIMEOUT_IN_SECONDS").asText()).isEqualTo("1860");
        });
    }

    @Test
    void database_and_schema_are_resolved_as_snowflake_resolves_unquoted_names() throws Exception {
        Path key = write("rsa_key.p8", TestKeys.encryptedPkcs8(keys.getPrivate(), TestKeys.PASSPHRASE));
        Properties properties = settings(key, TestKeys.PASSPHRASE);
        properties.setProperty("warehouse.snowflake.database", "citibike");
        properties.setProperty("warehouse.snowflake.schema", "public");
        SnowflakeSettings settings = read(properties);
        assertThat(settings.database()).isEqualTo("CITIBIKE");
        assertThat(settings.schema()).isEqualTo("PUBLIC");
        try (var dataSource = settings.dataSource(); var connection = dataSource.getConnection()) {
            assertThat(connection.getCatalog()).isEqualTo("CITIBIKE");
            assertThat(connection.getSchema()).isEqualTo("PUBLIC");
        }
    }

    @Test
    void a_database_or_schema_snowflake_does_not_have_stops_the_start_naming_it() throws Exception {
        Path key = write("rsa_key.p8", TestKeys.encryptedPkcs8(keys.getPrivate(), TestKeys.PASSPHRASE));
        Properties properties = settings(key, TestKeys.PASSPHRASE);
        properties.setProperty("warehouse.snowflake.database", "citibike_dev");
        assertThatThrownBy(() -> read(properties).dataSource())
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("Snowflake has no database CITIBIKE_DEV")
                .hasMessageContaining("warehouse.snowflake.database");

        // quoted: its case is kept, and Snowflake's schema is PUBLIC, not public
        properties.setProperty("warehouse.snowflake.database", "CITIBIKE");
        properties.setProperty("warehouse.snowflake.schema", "\"public\"");
        assertThatThrownBy(() -> read(properties).dataSource())
                .isInstanceOf(StartupException.class)
                .hasMessageStartingWith("Snowflake has no schema public in database CITIBIKE")
                .hasMessageContaining("warehouse.snowflake.schema");
    }

    @Test
    void a_missing_key_file_names_the_key_file_setting() {
        assertThatThrownBy(() -> read(settings(dir.resolve("missing.p8"), null)))
                .isInstanceOf(StartupException.class)
                .hasMessage("The file named by warehouse.snowflake.private-key-file does not exist: "
                            + dir.resolve("missing.p8").toAbsolutePath());
    }

    @Test
    void a_wrong_passphrase_names_the_passphrase_setting_and_not_the_passphrase() throws Exception {
        Path key = write("rsa_key.p8", TestKeys.encryptedPkcs8(keys.getPrivate(), TestKeys.PASSPHRASE));
        assertThatThrownBy(() -> read(settings(key, "hunter2-wrong")))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("warehouse.snowflake.private-key-passphrase")
                .hasMessageNotContaining("hunter2-wrong")
                .hasMessageNotContaining("PRIVATE KEY");
    }

    @Test
    void a_key_that_is_not_rsa_names_the_key_file_setting() throws Exception {
        Path key = write("ec_key.p8", TestKeys.pkcs8(TestKeys.ec().getPrivate()));
        assertThatThrownBy(() -> read(settings(key, null)))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("warehouse.snowflake.private-key-file")
                .hasMessageContaining("RSA");
    }

    @Test
    void a_key_the_account_does_not_know_fails_the_sign_in_with_the_settings_named() throws Exception {
        Path key = write("other.p8", TestKeys.pkcs8(TestKeys.rsa().getPrivate()));
        SnowflakeSettings settings = read(settings(key, null));
        assertThatThrownBy(settings::dataSource)
                .as("a key Snowflake refuses is a setting to fix: it stops the start")
                .isInstanceOf(StartupException.class)
                .isNotInstanceOf(WarehouseUnreachableException.class)
                .hasMessageStartingWith("Cannot sign in to Snowflake account testacct as api_user")
                .hasMessageContaining("warehouse.snowflake.account");
        assertThat(fake.loginFailures).singleElement().asString().contains("signature does not verify");
    }

    @Test
    void an_unreachable_account_fails_the_sign_in_as_unreachable_with_the_settings_named() throws Exception {
        Path key = write("rsa_key.pem", TestKeys.pkcs1(keys.getPrivate()));
        SnowflakeSettings settings = read(settings(key, null));
        fake.stop();
        assertThatThrownBy(settings::dataSource)
                .as("a failure that may pass: the API starts without the warehouse and connects later")
                .isInstanceOf(WarehouseUnreachableException.class)
                .hasMessageStartingWith("Cannot sign in to Snowflake account testacct")
                .hasMessageContaining("warehouse.snowflake.url");
    }

    @Test
    void a_missing_required_setting_is_named() {
        Properties p = new Properties();
        p.setProperty("warehouse.snowflake.account", "testacct");
        assertThatThrownBy(() -> read(p)).isInstanceOf(StartupException.class)
                .hasMessage("warehouse.type is snowflake but warehouse.snowflake.user is not set");
    }
}
