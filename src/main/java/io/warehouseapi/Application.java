package io.warehouseapi;

import org.apache.camel.main.Main;
import sun.misc.Signal;

/**
 * Starts the API: camel-main with the routes under {@code camel/} and {@link ApiConfiguration}. SIGTERM and SIGINT
 * shut it down gracefully (camel.main.shutdown-timeout bounds the wait for in-flight work) and the process exits
 * with code 0, as container runtimes and service managers expect of a clean stop.
 */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main(Application.class);
        Signal.handle(new Signal("TERM"), signal -> main.completed());
        Signal.handle(new Signal("INT"), signal -> main.completed());
        int exitCode = main.run(args);
        System.exit(exitCode);
    }
}
