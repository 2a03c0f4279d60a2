package io.warehouseapi;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packages depend on each other one way only: the JDK's own {@code jdeps}, run on the compiled classes, finds no
 * cycle among the packages of {@code io.warehouseapi}, and no import that the map of the code in
 * {@code docs/architecture.md} does not allow.
 */
class PackageLayersTest {

    private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.warehouseapi[\\w.]*)\\s+->\\s+(io\\.warehouseapi[\\w.]*)\\b");

    @Test
    void the_packages_have_no_cycle() {
        Map<String, Set<String>> imports = dependencies();
        assertThat(imports).as("jdeps read the packages").containsKeys("io.warehouseapi.query",
                "io.warehouseapi.warehouse");
        assertThat(imports.get("io.warehouseapi.query")).as("jdeps read the edges").contains("io.warehouseapi.warehouse");
        assertThat(cycle(imports)).as("a cycle among the packages").isEmpty();
    }

    @Test
    void every_import_is_one_the_map_of_the_code_allows() throws Exception {
        Map<String, Set<String>> allowed = new TreeMap<>();
        Pattern row = Pattern.compile("^\\| `([\\w.]+)` \\|[^|]*\\| ([^|]*) \\|$");
        for (String line : Files.readAllLines(Path.of("docs", "architecture.md"))) {
            Matcher matched = row.matcher(line);
            if (matched.matches()) {
                Set<String> may = new TreeSet<>();
                Matcher name = Pattern.compile("`([\\w.]+)`").matcher(matched.group(2));
                while (name.find()) {
                    may.add(qualified(name.group(1)));
                }
                allowed.put(qualified(matched.group(1)), matched.group(2).trim().equals("any") ? null : may);
            }
        }
        Map<String, Set<String>> imports = dependencies();
        assertThat(allowed).as("the map names every package").containsKeys(imports.keySet().toArray(String[]::new));
        for (Map.Entry<String, Set<String>> edges : imports.entrySet()) {
            Set<String> may = allowed.get(edges.getKey());
            if (may != null) {
                assertThat(may).as("what %s may import", edges.getKey()).containsAll(edges.getValue());
            }
        }
    }

    private static String qualified(String name) {
        return name.startsWith("io.warehouseapi") ? name : "io.warehouseapi." + name;
    }

    private static Map<String, Set<String>> dependencies() {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package", "-filter:none",
                "-e", "io\\.warehouseapi.*", Path.of("target", "classes").toString());
        assertThat(exit).as("jdeps: %s", err).isZero();
        Map<String, Set<String>> imports = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher edge = EDGE.matcher(line);
            if (edge.find() && !edge.group(1).equals(edge.group(2))) {
                imports.computeIfAbsent(edge.group(1), p -> new TreeSet<>()).add(edge.group(2));
            }
        }
        return imports;
    }

    /** One cycle, as the packages along it, or an empty list. */
    private static List<String> cycle(Map<String, Set<String>> imports) {
        Map<String, Integer> state = new HashMap<>();
        for (String start : imports.keySet()) {
            List<String> found = visit(start, imports, state, new ArrayDeque<>());
            if (!found.isEmpty()) {
                return found;
            }
        }
        return List.of();
    }

    private static List<String> visit(String pkg, Map<String, Set<String>> imports, Map<String, Integer> state,
                                      Deque<String> path) {
        Integer seen = state.get(pkg);
        if (seen != null && seen == 2) {
            return List.of();
        }
        if (seen != null) {
            List<String> cycle = new ArrayList<>();
            boolean on = false;
            for (String step : (Iterable<String>) path::descendingIterator) {
                on |= step.equals(pkg);
                if (on) {
                    cycle.add(step);
                }
            }
            cycle.add(pkg);
            return cycle;
        }
        state.put(pkg, 1);
        path.push(pkg);
        for (String next : imports.getOrDefault(pkg, new HashSet<>())) {
            List<String> found = visit(next, imports, state, path);
            if (!found.isEmpty()) {
                return found;
            }
        }
        path.pop();
        state.put(pkg, 2);
        return List.of();
    }
}
