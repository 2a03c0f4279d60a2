package io.warehouseapi.query;

/** How a {@code run_view} was answered, for the lifecycle log and the meters. */
enum How {
    FRESH("fresh", "how=fresh"), JOINED("shared", "how=joined"), REUSED("reused", "how=reused");

    final String meter;
    final String logged;

    How(String meter, String logged) {
        this.meter = meter;
        this.logged = logged;
    }
}
