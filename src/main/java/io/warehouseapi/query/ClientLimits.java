package io.warehouseapi.query;

/**
 * What one client (a connection, or a principal across its connections) may hold, each a setting of at least 1.
 *
 * @param idsPerClient        finished query ids kept readable ({@code results.max-ids-per-client}); the oldest are
 *                            forgotten first
 * @param resultsPerClient    distinct stored results those ids may name ({@code results.max-results-per-client});
 *                            beyond, the oldest ids are forgotten first, and a result goes with the last id holding it
 * @param linksPerClient      unexpired export links ({@code api.export.max-links-per-client}); one more is refused
 * @param runningPerPrincipal queries running across a principal's connections
 *                            ({@code warehouse.max-queries-per-principal}); one more is refused
 */
public record ClientLimits(int idsPerClient, int resultsPerClient, int linksPerClient, int runningPerPrincipal) {

    /** The settings' defaults. */
    public static final ClientLimits DEFAULTS = new ClientLimits(1000, 100, 100, 32);

    public ClientLimits {
        atLeastOne("results.max-ids-per-client", idsPerClient);
        atLeastOne("results.max-results-per-client", resultsPerClient);
        atLeastOne("api.export.max-links-per-client", linksPerClient);
        atLeastOne("warehouse.max-queries-per-principal", runningPerPrincipal);
    }

    private static void atLeastOne(String setting, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(setting + " must be at least 1, not " + value);
        }
    }

    public ClientLimits withIdsPerClient(int max) {
        return new ClientLimits(max, resultsPerClient, linksPerClient, runningPerPrincipal);
    }

    public ClientLimits withResultsPerClient(int max) {
        return new ClientLimits(idsPerClient, max, linksPerClient, runningPerPrincipal);
    }

    public ClientLimits withLinksPerClient(int max) {
        return new ClientLimits(idsPerClient, resultsPerClient, max, runningPerPrincipal);
    }

    public ClientLimits withRunningPerPrincipal(int max) {
        return new ClientLimits(idsPerClient, resultsPerClient, linksPerClient, max);
    }
}
