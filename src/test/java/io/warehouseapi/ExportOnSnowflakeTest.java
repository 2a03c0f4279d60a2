package io.warehouseapi;

/** Exports on Snowflake (the fake endpoint): from the local copy of the result, the same files. */
class ExportOnSnowflakeTest extends ExportTest {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }
}
