package io.warehouseapi.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * A stored result exported as a byte stream, produced as it is read: the engine writes one slice of rows at a time
 * ({@code COPY ... TO} a temporary file of the store's, the fastest way DuckDB writes the format), and while the
 * stream reads one slice out, the engine writes the next ({@code ahead}). Nothing is held in the heap beyond the
 * reader's buffer, at most two slices are on disk, and a reader that reads slowly makes the slices after the next
 * come later. Closing it waits for a slice being written, deletes its files and tells its owner ({@code onClose}),
 * once; call it off an event loop.
 */
final class ExportStream extends InputStream {

    /** Writes the slice of rows [from, to) to a file, with the header if it is the first. */
    @FunctionalInterface
    interface SliceWriter {
        void write(long from, long to, boolean first, Path file) throws IOException;
    }

    private final SliceWriter writer;
    private final Executor ahead;
    /** Two files, used in turn: one being read, the other being written. */
    private final Path[] files;
    private final long totalRows;
    private final long sliceRows;
    private final Runnable onClose;
    private long nextFrom;
    private int requested;
    private CompletableFuture<Path> pending;
    private InputStream current;
    private Path currentFile;
    private boolean closed;

    /** @param files the two temporary files the slices are written to, in turn */
    ExportStream(SliceWriter writer, Executor ahead, Path[] files, long totalRows, long sliceRows, Runnable onClose) {
        this.writer = writer;
        this.ahead = ahead;
        this.files = files.clone();
        this.totalRows = totalRows;
        this.sliceRows = sliceRows;
        this.onClose = onClose;
    }

    /** Starts writing the next slice, or returns null when every slice has been asked for. */
    private CompletableFuture<Path> requestNext() {
        // the first slice always, so that an empty result still has its header (CSV) or schema (Parquet)
        if (requested > 0 && nextFrom >= totalRows) {
            return null;
        }
        long from = nextFrom;
        long to = Math.min(totalRows, from + sliceRows);
        boolean first = requested == 0;
        Path target = files[requested % 2];
        requested++;
        nextFrom = to;
        return CompletableFuture.supplyAsync(() -> {
            try {
                writer.write(from, to, first, target);
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, ahead);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] buffer, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("The export was closed");
        }
        if (length == 0) {
            return 0;
        }
        while (true) {
            if (current != null) {
                int n = current.read(buffer, offset, length);
                if (n >= 0) {
                    return n;
                }
                current.close();
                current = null;
                Files.deleteIfExists(currentFile);
            }
            if (pending == null && requested == 0) {
                pending = requestNext();
            }
            if (pending == null) {
                return -1;
            }
            currentFile = await(pending);
            pending = requestNext();
            current = Files.newInputStream(currentFile);
        }
    }

    private static Path await(CompletableFuture<Path> slice) throws IOException {
        try {
            return slice.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException(cause);
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (current != null) {
                    current.close();
                }
                if (pending != null) {
                    // the engine must be done with the result before its owner may let it go
                    pending.exceptionally(failure -> null).join();
                }
            } finally {
                for (Path file : files) {
                    Files.deleteIfExists(file);
                }
            }
        }
        onClose.run();
    }
}
