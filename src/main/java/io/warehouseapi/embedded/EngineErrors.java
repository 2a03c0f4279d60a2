package io.warehouseapi.embedded;

import java.sql.SQLException;

import io.warehouseapi.warehouse.ClientErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client is told of an engine error of the embedded warehouse: the operator gets the engine's whole words in
 * the log; the client a sentence about its question, never the server's file names or limits' internals.
 */
final class EngineErrors {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedWarehouse.class);

    private EngineErrors() {
    }

    /** The client's words for the failure of a query's statement; {@code cancelled} if its query was cancelled. */
    static String forClient(String queryId, SQLException e, boolean cancelled) {
        String error = engineMessage(e);
        if (error.startsWith("IO Error") || error.contains("No space left on device")
            || error.contains("failed to offload")) {
            // the result store could not spill to disk: the operator needs the engine's words, the client does
            // not need the server's file names
            LOG.warn("query={}: the result store could not be written: {}", queryId, error);
            return error.contains("No space left on device") || error.contains("failed to offload")
                    ? "The result could not be stored: the server's result store is out of disk space."
                    : "The result could not be stored: the server could not write its result store.";
        }
        if (error.startsWith("Out of Memory Error")) {
            LOG.warn("query={}: out of memory: {}", queryId, error);
            return "The query needs more memory than the server's limit (results.memory-limit) allows.";
        }
        if (cancelled) {
            return error;
        }
        // the engine's whole words for the operator; for the client only what concerns its question
        LOG.info("query={} failed in the engine: {}", queryId, error);
        return ClientErrors.forClient(error);
    }

    /** The engine's message: its first line, without any statement text the engine may quote. */
    static String engineMessage(SQLException e) {
        String message = e.getMessage() == null ? "The query failed." : e.getMessage();
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        message = message.strip();
        return message.length() > 500 ? message.substring(0, 500) : message;
    }
}
