package io.warehouseapi.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stored result exported as a byte stream, produced as it is read: the engine writes one slice of rows at a time
 * ({@code COPY ... TO} a temporary file of the store's, the fastest way DuckDB writes the format) and the stream
 * reads it out, then asks for the next. Nothing is held in the heap beyond the reader's buffer, at most one slice is
 * on disk, and a reader that reads slowly makes the next slice come later. Closing it deletes its file and tells
 * its owner ({@code onClose}), once; a close waits for a slice being written, so call it off an event loop.
 */
final class ExportStream extends InputStream {

    /** Writes the slice of rows [from, to) to a file, with the header if it is the first. */
    @FunctionalInterface
    interface SliceWriter {
        void write(long from, long to, boolean first, Path file) throws IOException;
    }

    private final SliceWriter writer;
    private final Path file;
    private final long totalRows;
    private final long sliceRows;
    private final Runnable onClose;
    private long next;
    private boolean started;
    private InputStream current;
    private boolean closed;

    ExportStream(SliceWriter writer, Path file, long totalRows, long sliceRows, Runnable onClose) {
        this.writer = writer;
        this.file = file;
        this.totalRows = totalRows;
        this.sliceRows = sliceRows;
        this.onClose = onClose;
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
                Files.deleteIfExists(file);
            }
            // the first slice always, so that an empty result still has its header (CSV) or schema (Parquet)
            if (started && next >= totalRows) {
                return -1;
            }
            long to = Math.min(totalRows, next + sliceRows);
            writer.write(next, to, !started, file);
            started = true;
            next = to;
            current = Files.newInputStream(file);
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
            } finally {
                Files.deleteIfExists(file);
            }
        }
        onClose.run();
    }
}
