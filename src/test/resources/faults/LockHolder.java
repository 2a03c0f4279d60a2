import java.sql.Connection;
import java.util.Properties;

/**
 * Holds a DuckDB file open, and so locked, from another process until stdin closes or the process is stopped:
 * the warehouse made unavailable for real. Run as {@code java -cp duckdb_jdbc.jar LockHolder.java <file>}.
 */
public class LockHolder {
    public static void main(String[] args) throws Exception {
        try (Connection connection = new org.duckdb.DuckDBDriver().connect("jdbc:duckdb:" + args[0], new Properties())) {
            System.out.println("locked");
            System.out.flush();
            while (System.in.read() != -1) {
                // hold until stdin closes
            }
        }
    }
}
