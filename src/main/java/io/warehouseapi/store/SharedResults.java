package io.warehouseapi.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.warehouseapi.model.Column;
import io.warehouseapi.model.QueryState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared results directory ({@code results.shared-dir}): a volume every replica mounts, through which any replica
 * serves any finished result of the embedded warehouse. For each query, by its warehouse id:
 * <ul>
 *   <li>{@code <id>.running}, created and locked (an operating-system file lock) by the replica that runs the query,
 *   from its submit to its end. The lock goes with the process, however it ends, so another replica that can take
 *   the lock knows at once that the query's replica died.</li>
 *   <li>{@code <id>.parquet}, the result, written under a temporary name and renamed (atomically) once complete.</li>
 *   <li>{@code <id>.json}, how it ended (its state, error, view, columns and row count), written last, in the same
 *   way: its presence means the query is over and its result, if any, complete.</li>
 * </ul>
 * Files are removed once older than every id that can name them ({@link #sweep(Duration)}); a result reused is
 * touched, so that it lives as long as its newest id.
 */
public class SharedResults {

    private static final Logger LOG = LoggerFactory.getLogger(SharedResults.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The message a client gets for a query whose replica stopped before it finished. */
    public static final String RERUN = "The server that ran this query stopped before it finished; run the view again.";

    private final Path directory;
    private final Map<String, FileChannel> locks = new ConcurrentHashMap<>();

    public SharedResults(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the shared results directory " + this.directory
                                           + " (results.shared-dir)", e);
        }
    }

    public Path directory() {
        return directory;
    }

    /** A query has been submitted here: its lock is taken and held until {@link #ended}. */
    public void started(String id) {
        check(id);
        try {
            FileChannel channel = FileChannel.open(file(id, ".running"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            channel.lock();
            locks.put(id, channel);
        } catch (IOException e) {
            LOG.warn("Cannot mark query {} as running in {}: {}", id, directory, e.getMessage());
        }
    }

    /** Where to write a result before it is published: a temporary name in the same directory (same file system). */
    public Path temporary(String id) {
        check(id);
        return directory.resolve("." + id + "-" + UUID.randomUUID() + ".parquet.tmp");
    }

    /**
     * A query has ended here: its outcome is written (after its result, renamed from {@code written}, if it
     * succeeded) and its lock let go. Once only; a failure to write is logged, and other replicas then see a query
     * whose replica stopped.
     */
    public void ended(String id, Outcome outcome, Path written) {
        check(id);
        try {
            if (written != null) {
                move(written, file(id, ".parquet"));
            }
            Path meta = directory.resolve("." + id + "-" + UUID.randomUUID() + ".json.tmp");
            JSON.writeValue(meta.toFile(), outcome);
            move(meta, file(id, ".json"));
        } catch (IOException e) {
            LOG.warn("Cannot publish the outcome of query {} to {}: {}", id, directory, e.getMessage());
        } finally {
            FileChannel channel = locks.remove(id);
            if (channel != null) {
                try {
                    Files.deleteIfExists(file(id, ".running"));
                    channel.close();
                } catch (IOException e) {
                    LOG.debug("Cannot let go of the lock of query {}: {}", id, e.getMessage());
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(from);
            throw new IOException("the shared results directory cannot rename files atomically", e);
        }
    }

    /** What the directory says of a query: over (with its outcome), running on a live replica, or neither. */
    public Lookup lookup(String id) {
        check(id);
        Outcome outcome = outcome(id);
        if (outcome != null) {
            return new Lookup(outcome, false);
        }
        if (heldByLiveReplica(id)) {
            return new Lookup(null, true);
        }
        // it may have ended between the two looks
        return new Lookup(outcome(id), false);
    }

    /** The result file of a query that succeeded. */
    public Path result(String id) {
        check(id);
        return file(id, ".parquet");
    }

    /** Marks a result as used now, so that the sweep keeps it as long as the newest id that names it. */
    public void touch(String id) {
        check(id);
        FileTime now = FileTime.from(Instant.now());
        for (String suffix : List.of(".json", ".parquet")) {
            try {
                Files.setLastModifiedTime(file(id, suffix), now);
            } catch (IOException e) {
                // not written (yet), or swept
            }
        }
    }

    private Outcome outcome(String id) {
        try {
            return JSON.readValue(file(id, ".json").toFile(), Outcome.class);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            LOG.warn("Cannot read the outcome of query {} in {}: {}", id, directory, e.getMessage());
            return null;
        }
    }

    /** Whether a live replica (this one or another) holds the query's lock. */
    private boolean heldByLiveReplica(String id) {
        if (locks.containsKey(id)) {
            return true;
        }
        Path running = file(id, ".running");
        if (!Files.exists(running)) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(running, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false; // its replica is gone: the lock went with it
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            LOG.warn("Cannot check the lock of query {} in {}: {}", id, directory, e.getMessage());
            return false;
        }
    }

    /** Removes the files of results older than {@code age} (by when they were last written or used); returns how many. */
    public int sweep(Duration age) {
        Instant cutoff = Instant.now().minus(age);
        int removed = 0;
        try (var files = Files.list(directory)) {
            for (Path path : (Iterable<Path>) files::iterator) {
                String name = path.getFileName().toString();
                boolean ours = name.endsWith(".json") || name.endsWith(".parquet") || name.endsWith(".running")
                               || name.endsWith(".tmp");
                if (!ours || locks.containsKey(name.substring(0, Math.max(0, name.lastIndexOf('.'))))) {
                    continue;
                }
                try {
                    if (Files.getLastModifiedTime(path).toInstant().isBefore(cutoff) && Files.deleteIfExists(path)) {
                        removed++;
                    }
                } catch (IOException e) {
                    // another replica swept it first
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot sweep the shared results directory {}: {}", directory, e.getMessage());
        }
        return removed;
    }

    private Path file(String id, String suffix) {
        return directory.resolve(id + suffix);
    }

    /** Ids become file names: only a UUID's form is accepted. */
    private static void check(String id) {
        if (!id.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            throw new IllegalArgumentException("Not a result id of the shared results directory");
        }
    }

    /** How a query ended, as the replica that ran it wrote it. */
    public record Outcome(QueryState state, String error, String view, List<Column> columns, long rows,
                          long storedAtMillis) {

        @com.fasterxml.jackson.annotation.JsonIgnore
        public Instant storedAt() {
            return Instant.ofEpochMilli(storedAtMillis);
        }
    }

    /** A query's outcome if it is over; else whether a live replica is still running it. */
    public record Lookup(Outcome outcome, boolean running) {
    }
}
