package io.warehouseapi.store;

/**
 * The first rows of a result as the engine hands them over while it stores the rest in one statement: row {@code n}
 * is the row the store numbers {@code n} ({@link ResultStore#NUMBER_COLUMN}), so a page of them is the page the
 * stored result gives once whole. Holds at most {@code capacity} rows, the largest page a client may ask for; the
 * engine's threads put them, in chunks, in any order.
 */
public final class FirstRows {

    /** The most pages of them kept shaped, so that the clients that joined a query shape its first page once. */
    private static final int MAX_PAGES = 16;

    private final Object[][] rows;
    private int contiguous;
    private final java.util.Map<String, Page> pages = new java.util.concurrent.ConcurrentHashMap<>();

    FirstRows(int capacity) {
        this.rows = new Object[capacity][];
    }

    /** How many rows are kept at most. */
    public int capacity() {
        return rows.length;
    }

    /**
     * Keeps {@code row} as row {@code number}; a number past the capacity is ignored. Returns how many rows from the
     * first are now kept without a gap.
     */
    public synchronized int put(long number, Object[] row) {
        if (number >= 0 && number < rows.length) {
            rows[(int) number] = row;
            while (contiguous < rows.length && rows[contiguous] != null) {
                contiguous++;
            }
        }
        return contiguous;
    }

    /** How many rows from the first are kept without a gap. */
    public synchronized int contiguous() {
        return contiguous;
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive), all of which must be kept. */
    synchronized java.util.List<Object[]> rows(int from, int to) {
        if (to > contiguous) {
            throw new IllegalArgumentException("Rows " + from + " to " + to + " are not all kept");
        }
        return java.util.Arrays.asList(rows).subList(from, to);
    }

    /**
     * The page of rows {@code offset} to {@code offset + size}, all of which must be kept: shaped by {@code shape}
     * once, then kept (up to {@value #MAX_PAGES} pages).
     */
    Page page(long offset, int size, java.util.function.Supplier<Page> shape) {
        String key = offset + "+" + size;
        Page page = pages.get(key);
        if (page == null) {
            page = shape.get();
            if (pages.size() < MAX_PAGES) {
                pages.putIfAbsent(key, page);
            }
        }
        return page;
    }
}
