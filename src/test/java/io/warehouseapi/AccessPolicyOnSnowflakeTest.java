package io.warehouseapi;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who sees what on Snowflake (the fake endpoint): the same scopes, the same counts as the engine's own; and a role's
 * queries run in sessions of the Snowflake role the policies name for it, so that Snowflake's grants apply on top.
 */
class AccessPolicyOnSnowflakeTest extends AccessPolicyTest {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }

    @Test
    void a_roles_queries_run_under_the_snowflake_role_the_policies_name_for_it() {
        try (WsClient pat = signedIn(PAT_KEY); WsClient alice = signedIn(ALICE_KEY)) {
            int before = snowflake.asyncQueryIds.size();
            pat.runView("trip_weather_vw", ",\"columns\":[\"USERTYPE\"]");
            alice.runView("trip_weather_vw", ",\"columns\":[\"USERTYPE\"]");
            List<String> started = snowflake.asyncQueryIds.subList(before, snowflake.asyncQueryIds.size());
            assertThat(started).hasSize(2);
            assertThat(snowflake.queryRoles.get(started.get(0))).isEqualTo("PARTNER_READER");
            // the analyst's role names none: the service's own (warehouse.snowflake.role)
            assertThat(snowflake.queryRoles.get(started.get(1))).isEqualTo("API_READER");
        }
    }
}
