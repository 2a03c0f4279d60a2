package io.warehouseapi;

/** Who sees what on Snowflake (the fake endpoint): the same scopes, the same counts as the engine's own. */
class AccessPolicyOnSnowflakeTest extends AccessPolicyTest {

    @Override
    protected boolean onSnowflake() {
        return true;
    }

    @Override
    protected long tripCount() {
        return 5_000;
    }
}
