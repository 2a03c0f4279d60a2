package io.warehouseapi.store;

import java.util.Locale;

/** The file formats a finished result can be exported in, by their wire names. */
public enum ExportFormat {
    CSV("text/csv; charset=utf-8; header=present", "csv", true, true),
    NDJSON("application/x-ndjson", "ndjson", true, true),
    PARQUET("application/vnd.apache.parquet", "parquet", false, false);

    private final String contentType;
    private final String extension;
    private final boolean sliced;
    private final boolean compressible;

    ExportFormat(String contentType, String extension, boolean sliced, boolean compressible) {
        this.contentType = contentType;
        this.extension = extension;
        this.sliced = sliced;
        this.compressible = compressible;
    }

    public String contentType() {
        return contentType;
    }

    public String extension() {
        return extension;
    }

    /** Whether the format is written slice by slice (rows after rows), or only whole (Parquet). */
    boolean sliced() {
        return sliced;
    }

    /** Whether gzip makes it smaller (Parquet is compressed already). */
    public boolean compressible() {
        return compressible;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The format of a wire name ({@code csv}, {@code ndjson}, {@code parquet}), or null for any other. */
    public static ExportFormat fromWire(String name) {
        for (ExportFormat format : values()) {
            if (format.wireName().equals(name)) {
                return format;
            }
        }
        return null;
    }
}
