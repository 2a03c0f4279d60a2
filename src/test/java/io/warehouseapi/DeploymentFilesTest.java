package io.warehouseapi;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployment files in {@code deploy/} match the application: the probes and health checks use its endpoints, and
 * every setting they give is one the settings page documents.
 */
class DeploymentFilesTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void the_kubernetes_manifest_probes_the_application_and_sets_only_documented_settings() throws Exception {
        List<JsonNode> documents = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(Path.of("deploy/kubernetes/warehouse-api.yaml").toFile())) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(documents::add);
        }
        JsonNode deployment = documents.stream().filter(d -> d.path("kind").asText().equals("Deployment"))
                .findFirst().orElseThrow();
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/observe/health/ready");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/observe/health/live");
        assertThat(deployment.at("/spec/replicas").asInt()).isGreaterThan(1);
        String settings = Files.readString(Path.of("docs/settings.md"));
        List<String> names = new ArrayList<>();
        container.path("env").forEach(env -> names.add(env.path("name").asText()));
        assertThat(names).contains("API_HANDLES_KEYS", "RESULTS_SHARED_DIR", "API_AUTH_MODE");
        for (String name : names) {
            assertThat(settings).as("docs/settings.md documents %s", name).contains("`" + name + "`");
        }
        // the shared results directory is the mounted shared volume, a claim the manifest makes
        String sharedDir = "";
        for (JsonNode env : container.path("env")) {
            if (env.path("name").asText().equals("RESULTS_SHARED_DIR")) {
                sharedDir = env.path("value").asText();
            }
        }
        String volume = "";
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("mountPath").asText().equals(sharedDir)) {
                volume = mount.path("name").asText();
            }
        }
        String claim = "";
        for (JsonNode declared : deployment.at("/spec/template/spec/volumes")) {
            if (declared.path("name").asText().equals(volume)) {
                claim = declared.at("/persistentVolumeClaim/claimName").asText();
            }
        }
        String claimName = claim;
        assertThat(claimName).isNotEmpty();
        assertThat(documents).anySatisfy(document -> {
            assertThat(document.path("kind").asText()).isEqualTo("PersistentVolumeClaim");
            assertThat(document.at("/metadata/name").asText()).isEqualTo(claimName);
            assertThat(document.at("/spec/accessModes/0").asText()).isEqualTo("ReadWriteMany");
        });
        assertThat(documents.stream().map(d -> d.path("kind").asText())).contains("Service");
    }

    @Test
    void haproxy_checks_readiness_and_ends_tls() throws Exception {
        String config = Files.readString(Path.of("deploy/haproxy/haproxy.cfg"));
        assertThat(config).contains("option httpchk GET /observe/health/ready")
                .contains("ssl crt \"${API_TLS_CERT}\"")
                .contains("timeout tunnel");
        assertThat(Files.readString(Path.of("README.md"))).contains("deploy/haproxy/haproxy.cfg")
                .contains("deploy/kubernetes/warehouse-api.yaml").contains("## Running several replicas");
    }
}
