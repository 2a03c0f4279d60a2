package io.warehouseapi;

/** {@link BadInputTest} with the Snowflake adapter selected, against the fake Snowflake: the routes do not change. */
class BadInputOnSnowflakeTest extends BadInputTest {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }
}
