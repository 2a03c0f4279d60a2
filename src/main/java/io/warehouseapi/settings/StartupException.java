package io.warehouseapi.settings;

/**
 * A setting that stops the start: its message is one line for the operator, naming the setting to fix, and never
 * holds a key, a passphrase or a token.
 */
public class StartupException extends IllegalStateException {

    public StartupException(String message) {
        super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
