package io.warehouseapi.transport;

import io.warehouseapi.settings.StartupException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The defaults that follow from the address the server listens on, without booting it. */
class ExposureTest {

    @Test
    void beyond_loopback_without_authentication_the_server_does_not_start_unless_the_operator_opted_in() {
        assertThatThrownBy(() -> new Exposure("0.0.0.0").requireOptInWithoutAuthentication(false))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("API_AUTH_TOKENS")
                .hasMessageContaining("API_AUTH_ANONYMOUS_BEYOND_LOOPBACK=true");
        assertThatThrownBy(() -> new Exposure("10.1.2.3").requireOptInWithoutAuthentication(false))
                .isInstanceOf(StartupException.class);
        assertThatCode(() -> new Exposure("0.0.0.0").requireOptInWithoutAuthentication(true))
                .doesNotThrowAnyException();
        for (String loopback : new String[] {"127.0.0.1", "localhost", "::1", "127.0.0.2"}) {
            assertThatCode(() -> new Exposure(loopback).requireOptInWithoutAuthentication(false))
                    .as(loopback).doesNotThrowAnyException();
        }
    }

    @Test
    void origin_null_is_accepted_only_for_the_generated_sample_on_loopback_and_only_when_listed() {
        assertThat(new Exposure("127.0.0.1").acceptsNullOrigin(true, "null")).isTrue();
        assertThat(new Exposure("127.0.0.1").acceptsNullOrigin(true, "https://dash.example")).isFalse();
        assertThat(new Exposure("127.0.0.1").acceptsNullOrigin(false, "null")).as("a user's database").isFalse();
        assertThat(new Exposure("0.0.0.0").acceptsNullOrigin(true, "null")).as("beyond loopback").isFalse();
    }

    @Test
    void on_loopback_the_server_answers_to_the_loopback_names_and_elsewhere_to_any_unless_listed() {
        assertThat(new Exposure("127.0.0.1").hosts("")).containsExactlyInAnyOrder("localhost", "127.0.0.1", "[::1]");
        assertThat(new Exposure("0.0.0.0").hosts("")).isNull();
        assertThat(new Exposure("0.0.0.0").hosts("API.example.com, localhost"))
                .containsExactlyInAnyOrder("api.example.com", "localhost");
        assertThat(new Exposure("127.0.0.1").hosts("*")).isNull();
    }

    @Test
    void a_host_header_is_compared_by_its_name_without_the_port() {
        assertThat(OriginPolicy.hostName("LocalHost:8080")).isEqualTo("localhost");
        assertThat(OriginPolicy.hostName("[::1]:8080")).isEqualTo("[::1]");
        assertThat(OriginPolicy.hostName("[::1]")).isEqualTo("[::1]");
        assertThat(OriginPolicy.hostName("evil.example")).isEqualTo("evil.example");
    }
}
