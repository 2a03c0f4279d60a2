package io.warehouseapi;

/** {@link QueryLifecycleTest} with the Snowflake adapter selected, against the fake Snowflake: the routes do not change. */
class QueryLifecycleOnSnowflakeTest extends QueryLifecycleTest {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }
}
