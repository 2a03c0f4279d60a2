package io.warehouseapi;

/** {@link ConcurrentConnectionsTest} with the Snowflake adapter selected, against the fake Snowflake: the routes do not change. */
class ConcurrentConnectionsOnSnowflakeTest extends ConcurrentConnectionsTest {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }
}
