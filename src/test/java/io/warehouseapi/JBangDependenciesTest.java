package io.warehouseapi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The dependencies Camel JBang reads from ./application.properties are the pom's, at the pom's versions. */
class JBangDependenciesTest {

    @Test
    void every_jbang_dependency_is_in_the_pom_at_the_same_version() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        Properties jbang = new Properties();
        try (var in = Files.newBufferedReader(Path.of("application.properties"))) {
            jbang.load(in);
        }
        String[] dependencies = jbang.getProperty("camel.jbang.dependencies").split(",");
        assertThat(dependencies).isNotEmpty();
        String camelVersion = property(pom, "camel.version");
        for (String dependency : dependencies) {
            String[] gav = dependency.strip().split(":");
            assertThat(gav).as(dependency).hasSize(3);
            Matcher declared = Pattern.compile("<groupId>" + Pattern.quote(gav[0]) + "</groupId>\\s*<artifactId>"
                                               + Pattern.quote(gav[1]) + "</artifactId>(?:\\s*<version>([^<]+)</version>)?")
                    .matcher(pom);
            assertThat(declared.find()).as(dependency + " is a dependency of the pom").isTrue();
            String version = declared.group(1) == null ? camelVersion : resolve(pom, declared.group(1));
            assertThat(gav[2]).as(dependency).isEqualTo(version);
        }
        for (String driver : new String[] {"duckdb_jdbc", "snowflake-jdbc", "HikariCP", "caffeine", "bcpkix-jdk18on"}) {
            assertThat(jbang.getProperty("camel.jbang.dependencies")).contains(":" + driver + ":");
        }
    }

    private static String resolve(String pom, String version) {
        Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(version);
        return m.matches() ? property(pom, m.group(1)) : version;
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
        assertThat(m.find()).as("property " + name).isTrue();
        return m.group(1);
    }
}
