package io.warehouseapi.warehouse;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What of the warehouse's own error text a client gets. */
class ClientErrorsTest {

    @Test
    void a_failure_about_the_data_is_passed_on_without_names_or_paths() {
        assertThat(ClientErrors.forClient("Invalid Input Error: Sensor data for hour 500 is corrupt\nLINE 1: SELECT"))
                .isEqualTo("Invalid Input Error: Sensor data for hour 500 is corrupt");
        assertThat(ClientErrors.forClient("Conversion Error: Could not convert string 'abc' to INT32 in column "
                                          + "\"secret_amount\""))
                .isEqualTo("Conversion Error: Could not convert string 'abc' to INT32 in column \"…\"");
        assertThat(ClientErrors.forClient("Invalid Input Error: No magic bytes found in /srv/data/private/x.parquet"))
                .isEqualTo("Invalid Input Error: No magic bytes found in …")
                .doesNotContain("srv").doesNotContain("private");
        assertThat(ClientErrors.forClient("Numeric value 'abc' is not recognized"))
                .isEqualTo("Numeric value 'abc' is not recognized");
    }

    @Test
    void a_failure_of_the_servers_side_names_its_kind_only() {
        for (String message : new String[] {
            "Catalog Error: Table with name trips_raw does not exist!\nDid you mean \"main.trips\"?",
            "Binder Error: Referenced column \"secret\" not found in FROM clause!",
            "IO Error: No files found that match the pattern \"/data/hidden/*.parquet\"",
            "SQL compilation error:\nObject 'CITIBIKE.PRIVATE.TRIPS' does not exist or not authorized.",
        }) {
            String client = ClientErrors.forClient(message);
            assertThat(client).startsWith("The view could not be run as the warehouse defines it (")
                    .doesNotContain("trips").doesNotContain("TRIPS").doesNotContain("secret")
                    .doesNotContain("hidden").doesNotContain("CITIBIKE");
        }
        assertThat(ClientErrors.forClient("Catalog Error: Table with name x does not exist!"))
                .isEqualTo("The view could not be run as the warehouse defines it (catalog error); the server's log "
                           + "has the details.");
    }

    @Test
    void an_empty_message_says_the_query_failed() {
        assertThat(ClientErrors.forClient(null)).isEqualTo("The query failed.");
        assertThat(ClientErrors.forClient("  ")).isEqualTo("The query failed.");
    }
}
