package io.warehouseapi.warehouse;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import io.warehouseapi.model.ExposedView;
import io.warehouseapi.question.Selection;
import io.warehouseapi.store.ExportFormat;
import io.warehouseapi.store.Page;
import io.warehouseapi.store.StoredResult;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A warehouse that the API may start without: if it cannot be reached at start
 * ({@link WarehouseUnreachableException}), the API starts anyway, with readiness down and every request that needs
 * the warehouse answered {@code WAREHOUSE_UNAVAILABLE}, and {@link #reconnect(String)} opens it once it can. Any other
 * failure at start (a wrong setting) still stops the start.
 */
public class ReconnectingWarehouse implements Warehouse {

    private static final Logger LOG = LoggerFactory.getLogger(ReconnectingWarehouse.class);

    /** Opens the warehouse: connects, reads its catalog, and arranges for its resources to be closed at stop. */
    @FunctionalInterface
    public interface Opener {
        Warehouse open() throws Exception;
    }

    private final String kind;
    private final Opener opener;
    private volatile Warehouse delegate;
    private final Results results = new CurrentResults();
    private String lastFailure;

    public ReconnectingWarehouse(String kind, Opener opener) {
        this.kind = kind;
        this.opener = opener;
    }

    /**
     * Opens the warehouse if it is not open; returns whether it is. At start, a failure other than
     * {@link WarehouseUnreachableException} propagates.
     */
    public synchronized boolean connect() throws Exception {
        if (delegate != null) {
            return true;
        }
        try {
            delegate = opener.open();
        } catch (WarehouseUnreachableException e) {
            if (!e.getMessage().equals(lastFailure)) {
                LOG.error("The {} warehouse cannot be reached: {}. The API is up but not ready; requests get "
                          + "WAREHOUSE_UNAVAILABLE until it connects, which it retries by itself.", kind, e.getMessage());
                lastFailure = e.getMessage();
            }
            return false;
        }
        if (lastFailure != null) {
            LOG.info("The {} warehouse is reachable again: connected", kind);
            lastFailure = null;
        }
        return true;
    }

    @Override
    public void reconnect(String includePattern) {
        try {
            if (connect()) {
                delegate.reconnect(includePattern);
            }
        } catch (Exception e) {
            LOG.error("Cannot open the {} warehouse: {}", kind, e.getMessage());
        }
    }

    private Warehouse require() {
        Warehouse warehouse = delegate;
        if (warehouse == null) {
            throw new WarehouseException(WarehouseException.Reason.UNREACHABLE, "the " + kind + " warehouse is not connected");
        }
        return warehouse;
    }

    @Override
    public String kind() {
        return kind;
    }

    @Override
    public ViewCatalog catalog() {
        return require().catalog();
    }

    @Override
    public List<ExposedView> views() {
        return require().views();
    }

    /**
     * Reads the catalog once the routes run (it is read through a route, read-view-catalog), before the context's
     * start returns; a warehouse opened later (reconnect-warehouse) reads it when it is found unread.
     */
    public StartupListener catalogAtStart() {
        return new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                // the routes are not running yet
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                refreshViews();
            }
        };
    }

    @Override
    public void refreshViews() {
        Warehouse warehouse = delegate;
        if (warehouse != null) {
            warehouse.refreshViews();
        }
    }

    @Override
    public void refreshViews(String includePattern) {
        Warehouse warehouse = delegate;
        if (warehouse != null) {
            warehouse.refreshViews(includePattern);
        }
    }

    @Override
    public void probe() {
        Warehouse warehouse = delegate;
        if (warehouse != null) {
            warehouse.probe();
        }
    }

    @Override
    public boolean catalogInUse(String includePattern) {
        Warehouse warehouse = delegate;
        return warehouse != null && warehouse.catalogInUse(includePattern);
    }

    @Override
    public boolean isAvailable() {
        Warehouse warehouse = delegate;
        return warehouse != null && warehouse.isAvailable();
    }

    @Override
    public String submit(Selection selection) {
        return require().submit(selection);
    }

    @Override
    public String submit(Selection selection, String tenant) {
        return require().submit(selection, tenant);
    }

    @Override
    public java.time.Duration resultLifetime() {
        return require().resultLifetime();
    }

    @Override
    public String currentDefinition(ExposedView view) {
        return require().currentDefinition(view);
    }

    @Override
    public Optional<CompletionStage<Void>> whenEnded(String queryId) {
        Warehouse warehouse = delegate;
        return warehouse == null ? Optional.empty() : warehouse.whenEnded(queryId);
    }

    @Override
    public WarehouseStatus status(String queryId) {
        Warehouse warehouse = delegate;
        return warehouse == null ? null : warehouse.status(queryId);
    }

    @Override
    public void cancel(String queryId) {
        Warehouse warehouse = delegate;
        if (warehouse != null) {
            warehouse.cancel(queryId);
        }
    }

    @Override
    public Results results() {
        return results;
    }

    @Override
    public void forget(String queryId) {
        Warehouse warehouse = delegate;
        if (warehouse != null) {
            warehouse.forget(queryId);
        }
    }

    @Override
    public int runningStatements() {
        Warehouse warehouse = delegate;
        return warehouse == null ? 0 : warehouse.runningStatements();
    }

    /** The open warehouse, or {@code null}; for tests and health details. */
    @Override
    public String adopt(String queryId) {
        Warehouse warehouse = delegate;
        return warehouse == null ? null : warehouse.adopt(queryId);
    }

    @Override
    public boolean outlivesProcess() {
        Warehouse warehouse = delegate;
        return warehouse != null && warehouse.outlivesProcess();
    }

    @Override
    public void stopping() {
        Warehouse warehouse = delegate;
        if (warehouse != null) {
            warehouse.stopping();
        }
    }

    /** The results of the warehouse open now: after a reconnect, its own store's (the embedded store is new). */
    private final class CurrentResults implements Results {

        @Override
        public StoredResult result(String queryId) {
            Warehouse warehouse = delegate;
            return warehouse == null ? null : warehouse.results().result(queryId);
        }

        @Override
        public Page readPage(String queryId, long offset, int pageSize) {
            return require().results().readPage(queryId, offset, pageSize);
        }

        @Override
        public InputStream export(String queryId, ExportFormat format, Runnable onClose) {
            return require().results().export(queryId, format, onClose);
        }

        @Override
        public long totalRows(String queryId) {
            return require().results().totalRows(queryId);
        }

        @Override
        public Page readGrowingPage(String queryId, long offset, int pageSize) {
            Warehouse warehouse = delegate;
            return warehouse == null ? null : warehouse.results().readGrowingPage(queryId, offset, pageSize);
        }

        @Override
        public long storedRows(String queryId) {
            Warehouse warehouse = delegate;
            return warehouse == null ? -1 : warehouse.results().storedRows(queryId);
        }

        @Override
        public java.util.Optional<java.time.Instant> storingSince(String queryId) {
            Warehouse warehouse = delegate;
            return warehouse == null ? java.util.Optional.empty() : warehouse.results().storingSince(queryId);
        }

        @Override
        public java.util.Optional<java.util.concurrent.CompletionStage<Void>> whenStored(String queryId, long rows) {
            Warehouse warehouse = delegate;
            return warehouse == null ? java.util.Optional.empty() : warehouse.results().whenStored(queryId, rows);
        }

        @Override
        public void reused(String queryId) {
            Warehouse warehouse = delegate;
            if (warehouse != null) {
                warehouse.results().reused(queryId);
            }
        }

        @Override
        public void sweep(Duration age) {
            Warehouse warehouse = delegate;
            if (warehouse != null) {
                warehouse.results().sweep(age);
            }
        }
    }

    public Warehouse delegate() {
        return delegate;
    }
}
