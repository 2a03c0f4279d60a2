package io.warehouseapi;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/settings.md lists every key of application.properties and flow.properties, and no key that does not exist. */
class SettingsDocumentedTest {

    private static final Path SETTINGS_PAGE = Path.of("docs", "settings.md");

    private static Set<String> keys() throws Exception {
        Set<String> keys = new TreeSet<>();
        for (Path file : List.of(Path.of("src", "main", "resources", "application.properties"),
                Path.of("src", "main", "routes", "flow.properties"))) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            }
            keys.addAll(properties.stringPropertyNames());
        }
        return keys;
    }

    /**
     * The keys named in the first column of the page's settings table (before a note such as "(in flow.properties)");
     * with {@code notInFile}, only those of Camel's own options that the page says are not in the file.
     */
    private static Set<String> documented(boolean notInFile) throws Exception {
        Set<String> documented = new TreeSet<>();
        Pattern key = Pattern.compile("`([a-z][a-z0-9.-]+)`");
        for (String line : Files.readAllLines(SETTINGS_PAGE)) {
            if (line.startsWith("| `")) {
                String firstCell = line.substring(1, line.indexOf('|', 1));
                if (firstCell.contains("not in the file") != notInFile) {
                    continue;
                }
                int note = firstCell.indexOf('(');
                Matcher m = key.matcher(note < 0 ? firstCell : firstCell.substring(0, note));
                while (m.find()) {
                    documented.add(m.group(1));
                }
            }
        }
        return documented;
    }

    @Test
    void every_setting_is_documented() throws Exception {
        Set<String> documented = documented(false);
        List<String> missing = new ArrayList<>();
        for (String key : keys()) {
            if (!documented.contains(key)) {
                missing.add(key);
            }
        }
        assertThat(missing).as("settings missing from " + SETTINGS_PAGE).isEmpty();
    }

    @Test
    void every_documented_setting_exists() throws Exception {
        Set<String> keys = keys();
        List<String> stale = new ArrayList<>();
        for (String key : documented(false)) {
            if (!keys.contains(key)) {
                stale.add(key);
            }
        }
        assertThat(stale).as("settings in " + SETTINGS_PAGE + " that no properties file has").isEmpty();
    }
}
