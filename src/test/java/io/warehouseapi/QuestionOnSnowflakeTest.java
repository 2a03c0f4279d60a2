package io.warehouseapi;

/** Asking a view a question on Snowflake (the fake endpoint): the same answers, every value a bound parameter. */
class QuestionOnSnowflakeTest extends QuestionTest {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }
}
