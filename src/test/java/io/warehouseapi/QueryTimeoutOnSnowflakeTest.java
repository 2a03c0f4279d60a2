package io.warehouseapi;

/** {@link QueryTimeoutTest} with the Snowflake adapter selected, against the fake Snowflake: the routes do not change. */
class QueryTimeoutOnSnowflakeTest extends QueryTimeoutTest {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }
}
