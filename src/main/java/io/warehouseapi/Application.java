package io.warehouseapi;

import org.apache.camel.main.Main;

/** Starts the API: camel-main with the routes under {@code camel/} and {@link ApiConfiguration}. */
public final class Application {

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main(Application.class);
        main.run(args);
    }
}
