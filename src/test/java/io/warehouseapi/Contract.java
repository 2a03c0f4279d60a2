package io.warehouseapi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/**
 * The protocol's AsyncAPI document ({@code client/asyncapi.yaml}) as the tests enforce it: every reply the server
 * sends must match the payload schema of the reply message of its {@code type} in the {@code sendReply} operation.
 */
final class Contract {

    static final Path DOCUMENT = Path.of("client", "asyncapi.yaml");
    private static final Contract INSTANCE = new Contract(DOCUMENT);

    private final JsonNode document;
    private final Map<String, JsonSchema> replies = new LinkedHashMap<>();
    private final Map<String, JsonSchema> requests = new LinkedHashMap<>();

    private Contract(Path file) {
        try {
            document = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the AsyncAPI document " + file, e);
        }
        collect("sendReply", "type", replies);
        collect("receiveRequest", "action", requests);
    }

    static Contract get() {
        return INSTANCE;
    }

    JsonNode document() {
        return document;
    }

    /** The reply types the document names, such as {@code results}. */
    Set<String> replyTypes() {
        return replies.keySet();
    }

    /** Builds a validator for each message of an operation, keyed by the const of its discriminating field. */
    private void collect(String operation, String discriminator, Map<String, JsonSchema> into) {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
        for (JsonNode ref : document.at("/operations/" + operation + "/messages")) {
            JsonNode channelMessage = resolve(ref.path("$ref").asText());
            JsonNode message = resolve(channelMessage.path("$ref").asText());
            String schemaRef = message.at("/payload/$ref").asText();
            JsonNode schema = resolve(schemaRef);
            JsonNode field = schema.at("/properties/" + discriminator);
            List<String> names = new ArrayList<>();
            if (field.has("const")) {
                names.add(field.get("const").asText());
            } else {
                field.path("enum").forEach(name -> names.add(name.asText()));
            }
            // the payload's schema as the root of a document that also holds the components its $refs point into
            ObjectNode root = ((ObjectNode) schema.deepCopy());
            root.set("components", document.get("components"));
            JsonSchema validator = factory.getSchema(root);
            names.forEach(name -> into.put(name, validator));
        }
        if (into.isEmpty()) {
            throw new IllegalStateException("The AsyncAPI document has no messages in operation " + operation);
        }
    }

    private JsonNode resolve(String ref) {
        if (!ref.startsWith("#/")) {
            throw new IllegalStateException("Not a local reference: " + ref);
        }
        JsonNode node = document.at(ref.substring(1));
        if (node.isMissingNode()) {
            throw new IllegalStateException("The AsyncAPI document has no " + ref);
        }
        return node;
    }

    /** What is wrong with a reply the server sent; empty when it matches the contract. */
    List<String> violationsOfReply(JsonNode reply) {
        return violations(reply, "type", replies);
    }

    /** What is wrong with a request; empty when it matches the contract. */
    List<String> violationsOfRequest(JsonNode request) {
        return violations(request, "action", requests);
    }

    private static List<String> violations(JsonNode message, String discriminator, Map<String, JsonSchema> schemas) {
        JsonSchema schema = schemas.get(message.path(discriminator).asText());
        if (schema == null) {
            return List.of("no message with " + discriminator + " '" + message.path(discriminator).asText()
                           + "' in the AsyncAPI document");
        }
        List<String> violations = new ArrayList<>();
        for (ValidationMessage violation : schema.validate(message)) {
            violations.add(violation.getMessage());
        }
        return violations;
    }
}
