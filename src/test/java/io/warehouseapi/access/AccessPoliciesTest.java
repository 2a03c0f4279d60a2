package io.warehouseapi.access;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warehouseapi.model.Column;
import io.warehouseapi.model.ExposedView;
import io.warehouseapi.question.Ask;
import io.warehouseapi.question.Dialect;
import io.warehouseapi.question.QuestionException;
import io.warehouseapi.question.Scope;
import io.warehouseapi.question.Selection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The access policies' rules, without Camel: who sees which views, columns and rows, and the file's checks. */
class AccessPoliciesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ExposedView TRIPS = new ExposedView("TRIP_WEATHER_VW", "\"main\".\"trip_weather_vw\"",
            List.of(new Column("STARTTIME", "TIMESTAMP"), new Column("START_STATION_ID", "INTEGER"),
                    new Column("START_STATION_NAME", "VARCHAR"), new Column("TRIPDURATION", "INTEGER"),
                    new Column("USERTYPE", "VARCHAR")), "v1");
    private static final ExposedView WEATHER = new ExposedView("WEATHER_VW", "\"main\".\"weather_vw\"",
            List.of(new Column("OBSERVATION_TIME", "TIMESTAMP"), new Column("TEMP_AVG_C", "DOUBLE")), "v1");
    private static final String POLICIES = """
            roles_claim: roles
            roles:
              analyst:
                views:
                  TRIP_WEATHER_VW: {}
                  WEATHER_VW: {}
              partner:
                views:
                  TRIP_WEATHER_VW:
                    columns: [STARTTIME, START_STATION_NAME, TRIPDURATION]
                    rows: {"column": "START_STATION_ID", "op": "in", "claim": "stations"}
              subscribers:
                views:
                  trip_weather_vw:
                    columns: [USERTYPE]
                    rows: {"column": "USERTYPE", "op": "eq", "value": "Subscriber"}
            """;

    private final AccessPolicies policies = parse(POLICIES);

    @Test
    void a_view_no_role_grants_does_not_exist_and_a_role_without_rules_sees_everything() {
        Scope partner = policies.scopeFor(claims("{\"roles\":\"partner\",\"stations\":[72,79]}"));
        assertThat(partner.of(WEATHER)).isNull();
        Scope analyst = policies.scopeFor(claims("{\"roles\":[\"analyst\"]}"));
        Scope.Access all = analyst.of(TRIPS);
        assertThat(all.visible()).isEqualTo(TRIPS);
        assertThat(all.rows()).isNull();
        assertThat(all.restricted()).isFalse();
        assertThat(policies.scopeFor(claims("{}")).of(TRIPS)).isNull();
        assertThat(policies.scopeFor(claims("{\"roles\":\"nobody\"}")).of(TRIPS)).isNull();
    }

    @Test
    void a_column_not_granted_is_unknown_wherever_it_is_named() {
        Scope.Access access = policies.scopeFor(claims("{\"roles\":\"partner\",\"stations\":[72]}")).of(TRIPS);
        assertThat(access.visible().columns()).extracting(Column::name)
                .containsExactly("STARTTIME", "START_STATION_NAME", "TRIPDURATION");
        for (String[] asked : new String[][] {
                {"[\"USERTYPE\"]", null, null},
                {null, "{\"column\":\"USERTYPE\",\"op\":\"eq\",\"value\":\"x\"}", null},
                {null, null, "[{\"column\":\"START_STATION_ID\"}]"}}) {
            assertThatThrownBy(() -> ask(asked[0], asked[1], asked[2]).resolve(access.visible()))
                    .isInstanceOf(QuestionException.class).hasMessageContaining("is not a column of TRIP_WEATHER_VW");
        }
    }

    @Test
    void the_rows_filter_takes_the_claims_values_bound_and_is_anded_with_the_clients_own() {
        Scope.Access access = policies.scopeFor(claims("{\"roles\":\"partner\",\"stations\":[72,79]}")).of(TRIPS);
        Selection narrowed = access.narrow(ask(null,
                "{\"or\":[{\"column\":\"TRIPDURATION\",\"op\":\"gt\",\"value\":0},"
                + "{\"not\":{\"column\":\"TRIPDURATION\",\"op\":\"gt\",\"value\":0}}]}", null)
                .resolve(access.visible()));
        Selection.Statement statement = narrowed.statement(Dialect.DUCKDB);
        // the client's or cannot widen: it sits inside an AND with the policy's filter
        assertThat(statement.sql()).isEqualTo("SELECT \"STARTTIME\", \"START_STATION_NAME\", \"TRIPDURATION\" "
                + "FROM \"main\".\"trip_weather_vw\" WHERE ((\"START_STATION_ID\" IN (?, ?)) AND "
                + "((\"TRIPDURATION\" > ?) OR (NOT (\"TRIPDURATION\" > ?))))");
        assertThat(statement.parameters()).containsExactly(72L, 79L, 0L, 0L);
    }

    @Test
    void several_roles_combine_permissively_the_union_of_columns_and_the_or_of_rows() {
        Scope.Access access = policies.scopeFor(claims("{\"roles\":[\"subscribers\",\"partner\"],\"stations\":72}"))
                .of(TRIPS);
        assertThat(access.visible().columns()).extracting(Column::name)
                .containsExactly("STARTTIME", "START_STATION_NAME", "TRIPDURATION", "USERTYPE");
        Selection.Statement statement = access.narrow(Selection.wholeView(TRIPS.name(), TRIPS.sqlName()))
                .statement(Dialect.DUCKDB);
        assertThat(statement.sql()).endsWith("WHERE ((\"START_STATION_ID\" IN (?)) OR (\"USERTYPE\" = ?))");
        assertThat(statement.parameters()).containsExactly(72L, "Subscriber");
        // and a role that grants every row makes the filter go
        Scope.Access widest = policies.scopeFor(claims("{\"roles\":[\"analyst\",\"partner\"],\"stations\":72}"))
                .of(TRIPS);
        assertThat(widest.rows()).isNull();
        assertThat(widest.visible()).isEqualTo(TRIPS);
    }

    @Test
    void a_rule_whose_claim_is_missing_or_does_not_fit_grants_nothing() {
        for (String claims : List.of("{\"roles\":\"partner\"}",
                "{\"roles\":\"partner\",\"stations\":null}",
                "{\"roles\":\"partner\",\"stations\":[\"72' OR '1'='1\"]}",
                "{\"roles\":\"partner\",\"stations\":{\"nested\":[72]}}",
                "{\"roles\":\"partner\",\"stations\":[[72]]}",
                "{\"roles\":\"partner\",\"stations\":" + hugeArray(5000) + "}")) {
            assertThat(policies.scopeFor(claims(claims)).of(TRIPS)).as(claims).isNull();
        }
        // the other role still grants what it grants
        Scope.Access subscribers = policies.scopeFor(claims("{\"roles\":[\"partner\",\"subscribers\"]}")).of(TRIPS);
        assertThat(subscribers.visible().columns()).extracting(Column::name).containsExactly("USERTYPE");
    }

    @Test
    void equal_claims_give_equal_questions_and_different_claims_different_ones() {
        Selection whole = Selection.wholeView(TRIPS.name(), TRIPS.sqlName());
        Selection a = policies.scopeFor(claims("{\"roles\":\"partner\",\"stations\":[72]}")).of(TRIPS).narrow(whole);
        Selection b = policies.scopeFor(claims("{\"roles\":\"partner\",\"stations\":[72]}")).of(TRIPS).narrow(whole);
        Selection c = policies.scopeFor(claims("{\"roles\":\"partner\",\"stations\":[79]}")).of(TRIPS).narrow(whole);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void the_scope_key_changes_with_what_decides_the_scope_and_only_with_that() {
        String pat = policies.scopeKey(claims("{\"roles\":\"partner\",\"stations\":[72],\"email\":\"p@x\"}"));
        assertThat(policies.scopeKey(claims("{\"roles\":[\"partner\"],\"stations\":[72],\"email\":\"q@x\"}")))
                .isEqualTo(pat);
        assertThat(policies.scopeKey(claims("{\"roles\":\"partner\",\"stations\":[79]}"))).isNotEqualTo(pat);
        assertThat(policies.scopeKey(claims("{\"roles\":[\"partner\",\"analyst\"],\"stations\":[72]}")))
                .isNotEqualTo(pat);
        assertThat(parse(POLICIES + "  auditor:\n    views:\n      WEATHER_VW: {}\n")
                .scopeKey(claims("{\"roles\":\"partner\",\"stations\":[72]}"))).isNotEqualTo(pat);
    }

    @Test
    void a_tenant_claim_names_the_principals_tenant_and_its_share() {
        AccessPolicies tenants = parse("tenant_claim: org\ntenant_queries: 3\n" + POLICIES);
        assertThat(tenants.scopeFor(claims("{\"roles\":\"analyst\",\"org\":\"acme\"}")).tenant())
                .isEqualTo(new Scope.Tenant("acme", 3));
        assertThat(tenants.scopeFor(claims("{\"roles\":\"analyst\",\"org\":42}")).tenant().name()).isEqualTo("42");
        // those without the claim (or with one that is not a name) are one tenant together
        assertThat(tenants.scopeFor(claims("{\"roles\":\"analyst\"}")).tenant().name())
                .isEqualTo(tenants.scopeFor(claims("{\"roles\":\"analyst\",\"org\":{\"a\":1}}")).tenant().name());
        assertThat(policies.scopeFor(claims("{\"roles\":\"analyst\",\"org\":\"acme\"}")).tenant()).isNull();
        assertThat(parse("tenant_claim: org\n" + POLICIES).scopeFor(claims("{\"org\":\"a\"}")).tenant().maxQueries())
                .isEqualTo(AccessPolicies.DEFAULT_TENANT_QUERIES);
        assertThatThrownBy(() -> AccessPolicies.parse("tenant_claim: org\ntenant_queries: 0\n" + POLICIES, "p.yaml"))
                .hasMessageContaining("tenant_queries must be a whole number of at least 1");
        assertThatThrownBy(() -> AccessPolicies.parse("tenant_queries: 2\n" + POLICIES, "p.yaml"))
                .hasMessageContaining("tenant_queries needs a tenant_claim");
    }

    @Test
    void a_role_may_name_the_snowflake_role_its_queries_run_under_and_roles_that_disagree_grant_nothing_together() {
        AccessPolicies withRoles = parse("""
                roles:
                  partner:
                    snowflake_role: partner_reader
                    views:
                      TRIP_WEATHER_VW: {columns: [USERTYPE]}
                  auditor:
                    snowflake_role: AUDITOR
                    views:
                      TRIP_WEATHER_VW: {}
                      WEATHER_VW: {}
                """);
        Scope.Access partner = withRoles.scopeFor(claims("{\"roles\":\"partner\"}")).of(TRIPS);
        assertThat(partner.warehouseRole()).isEqualTo("PARTNER_READER");
        assertThat(partner.narrow(Selection.wholeView(TRIPS.name(), TRIPS.sqlName())).role()).isEqualTo("PARTNER_READER");
        assertThat(withRoles.warehouseRoles()).containsExactly("AUDITOR", "PARTNER_READER");
        Scope both = withRoles.scopeFor(claims("{\"roles\":[\"partner\",\"auditor\"]}"));
        assertThat(both.of(TRIPS)).isNull();
        assertThat(both.of(WEATHER).warehouseRole()).isEqualTo("AUDITOR");
        assertThat(policies.scopeFor(claims("{\"roles\":\"analyst\"}")).of(TRIPS).warehouseRole()).isNull();
        assertThatThrownBy(() -> AccessPolicies.parse("roles:\n  a:\n    snowflake_role: \"x; DROP\"\n    views: {}\n",
                "p.yaml")).hasMessageContaining("roles.a.snowflake_role must be a role's name");
    }

    @Test
    void a_file_that_cannot_be_used_says_what_is_wrong_with_it() {
        assertThatThrownBy(() -> AccessPolicies.parse("roles: [", "p.yaml"))
                .isInstanceOf(PolicyException.class).hasMessageContaining("p.yaml is not valid YAML");
        assertThatThrownBy(() -> AccessPolicies.parse("roles:\n  a:\n    views:\n      V:\n        rows: "
                                                      + "{column: X, op: like, value: 1}\n", "p.yaml"))
                .hasMessageContaining("roles.a.views.V.rows.op is not an operator");
        assertThatThrownBy(() -> AccessPolicies.parse("roles:\n  a:\n    views:\n      V:\n        colums: [X]\n",
                "p.yaml")).hasMessageContaining("unknown key colums");
        assertThatThrownBy(() -> AccessPolicies.parse("roles:\n  a:\n    views:\n      V:\n        rows: "
                                                      + "{column: X, op: eq, value: 1, claim: c}\n", "p.yaml"))
                .hasMessageContaining("either a value or a claim");
        assertThatThrownBy(() -> parse("roles:\n  a:\n    views:\n      NO_SUCH_VW: {}\n")
                .checkAgainst(List.of(TRIPS, WEATHER), "p.yaml"))
                .hasMessageContaining("NO_SUCH_VW names a view the API does not expose");
        assertThatThrownBy(() -> parse("roles:\n  a:\n    views:\n      TRIP_WEATHER_VW:\n        columns: [NOPE]\n")
                .checkAgainst(List.of(TRIPS, WEATHER), "p.yaml"))
                .hasMessageContaining("names NOPE, which is not a column of TRIP_WEATHER_VW");
        assertThatThrownBy(() -> parse("roles:\n  a:\n    views:\n      TRIP_WEATHER_VW:\n        rows: "
                                       + "{column: TRIPDURATION, op: contains, claim: c}\n")
                .checkAgainst(List.of(TRIPS, WEATHER), "p.yaml")).isInstanceOf(PolicyException.class);
        assertThatCode(() -> parse("roles:\n  a:\n    views:\n      TRIP_WEATHER_VW:\n        rows: "
                                   + "{column: USERTYPE, op: contains, claim: c}\n")
                .checkAgainst(List.of(TRIPS, WEATHER), "p.yaml")).doesNotThrowAnyException();
    }

    private static String hugeArray(int size) {
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < size; i++) {
            array.append(i == 0 ? "" : ",").append(i);
        }
        return array.append(']').toString();
    }

    private static AccessPolicies parse(String text) {
        try {
            return AccessPolicies.parse(text, "policies.yaml");
        } catch (PolicyException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode claims(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Ask ask(String columns, String filters, String orderBy) {
        return Ask.parse(node(columns), node(filters), node(orderBy));
    }

    private static JsonNode node(String json) {
        return json == null ? null : claims(json);
    }
}
