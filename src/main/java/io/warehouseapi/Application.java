package io.warehouseapi;

import java.nio.file.Files;
import java.nio.file.Path;

import io.warehouseapi.settings.StartupException;
import org.apache.camel.main.Main;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Starts the API: camel-main with the routes under {@code camel/} and {@link ApiConfiguration}. SIGTERM and SIGINT
 * shut it down gracefully (camel.main.shutdown-timeout bounds the wait for in-flight work) and the process exits
 * with code 0, as container runtimes and service managers expect of a clean stop.
 */
public final class Application {

    /** The flow's tunables in the project directory, which route reload watches. */
    static final Path PROJECT_FLOW_PROPERTIES = Path.of("src", "main", "routes", "flow.properties");

    /**
     * Where the settings come from: application.properties, then the flow's tunables, from the project directory
     * when started there (named as the route reload names the file it watches, so that an edit is reloaded),
     * else as packaged.
     */
    static String propertyLocations() {
        return "classpath:application.properties,"
               + (Files.isRegularFile(PROJECT_FLOW_PROPERTIES)
                       ? "file:src/main/routes/flow.properties" : "classpath:flow.properties");
    }

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        // the Snowflake driver logs through SLF4J, like the rest of the application
        if (System.getProperty("net.snowflake.jdbc.loggerImpl") == null) {
            System.setProperty("net.snowflake.jdbc.loggerImpl", "net.snowflake.client.log.SLF4JLogger");
        }
        Main main = new Main(Application.class);
        main.setPropertyPlaceholderLocations(propertyLocations());
        Signal.handle(new Signal("TERM"), signal -> main.completed());
        Signal.handle(new Signal("INT"), signal -> main.completed());
        int exitCode;
        try {
            exitCode = main.run(args);
        } catch (Exception e) {
            StartupException startup = startupCause(e);
            if (startup == null) {
                throw e;
            }
            LoggerFactory.getLogger(Application.class).error("Cannot start: {}", startup.getMessage());
            exitCode = 1;
        }
        System.exit(exitCode);
    }

    private static StartupException startupCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof StartupException startup) {
                return startup;
            }
        }
        return null;
    }
}
