package io.warehouseapi;

/** Shared results on Snowflake (the fake endpoint): one Snowflake query and one local copy for identical requests. */
class ResultSharingOnSnowflakeTest extends ResultSharingTest {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }
}
