package io.warehouseapi.api;

import java.io.IOException;
import java.math.BigInteger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.warehouseapi.question.Ask;
import io.warehouseapi.question.QuestionException;
import io.warehouseapi.store.ExportFormat;

/**
 * Parses and validates one text frame into an {@link ApiRequest}, following the field rules of the protocol. Every
 * failure is an {@link ApiException} with the code the protocol documents; nothing here touches the warehouse.
 */
public class RequestParser {

    /** The largest offset the protocol accepts: 2^53 - 1, the largest integer every JSON client can hold exactly. */
    public static final long MAX_OFFSET = (1L << 53) - 1;
    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final int MAX_TOKEN_LENGTH = 8192;
    private static final int MAX_REQUEST_ID_LENGTH = 64;
    private static final BigInteger MAX_OFFSET_BIG = BigInteger.valueOf(MAX_OFFSET);
    private static final java.util.regex.Pattern ACTION_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_]{0,31}");

    private final ObjectMapper mapper;
    private final int maxPageSize;
    private final int maxFrameBytes;

    public RequestParser(int maxPageSize, int maxFrameBytes) {
        if (maxPageSize < 1) {
            throw new IllegalArgumentException("api.page-size.max must be at least 1, not " + maxPageSize);
        }
        this.maxPageSize = maxPageSize;
        this.maxFrameBytes = maxFrameBytes;
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(64)
                        .maxNumberLength(64)
                        .maxStringLength(1 << 20)
                        .build())
                .build();
        this.mapper = JsonMapper.builder(factory).build();
    }

    /** Whether a text message is larger, in UTF-8 bytes, than the configured maximum frame size. */
    public boolean isTooLarge(String text) {
        if (text == null || (long) text.length() * 3 <= maxFrameBytes) {
            return false;
        }
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > maxFrameBytes;
    }

    /** Parses a frame's text with the page-size cap given at start. */
    public ApiRequest parse(String text) {
        return parse(text, maxPageSize);
    }

    /**
     * Parses a frame's text; binary frames never reach this method. {@code pageSizeCap} is the largest page size
     * accepted ({@code api.page-size.max}, passed by the route so that a change is live on reload).
     */
    public ApiRequest parse(String text, int pageSizeCap) {
        JsonNode root = readTree(text);
        if (!root.isObject()) {
            throw ApiException.badRequest("A request must be a JSON object.", null);
        }
        String requestId = requestId(root.get("request_id"));
        JsonNode actionNode = present(root.get("action"));
        if (actionNode == null || !actionNode.isTextual()) {
            throw ApiException.badRequest("The field 'action' is required and must be a string.", requestId);
        }
        String name = actionNode.textValue();
        Action action = Action.fromWire(name);
        if (action == null) {
            if (!ACTION_NAME.matcher(name).matches()) {
                throw unknownAction(requestId);
            }
            // an action the routes may add: its common fields are checked if present, and routed by name
            return new ApiRequest(name, optionalString(root, "view_name", requestId),
                    optionalString(root, "query_id", requestId), offset(root.get("offset"), requestId),
                    pageSize(root.get("page_size"), requestId, pageSizeCap), requestId);
        }
        return switch (action) {
            case RUN_VIEW -> new ApiRequest(name, requiredString(root, "view_name", requestId), null, 0,
                    pageSize(root.get("page_size"), requestId, pageSizeCap), requestId, null,
                    optionalBoolean(root, "fresh", requestId), ask(root, requestId), null);
            case FETCH_RESULTS -> new ApiRequest(name, null, requiredString(root, "query_id", requestId),
                    offset(root.get("offset"), requestId), pageSize(root.get("page_size"), requestId, pageSizeCap),
                    requestId);
            case CANCEL, QUERY_STATUS -> new ApiRequest(name, null, requiredString(root, "query_id", requestId), 0,
                    DEFAULT_PAGE_SIZE, requestId);
            case EXPORT -> new ApiRequest(name, null, requiredString(root, "query_id", requestId), 0,
                    DEFAULT_PAGE_SIZE, requestId, null, false, null, format(root, requestId));
            case LIST_VIEWS -> new ApiRequest(name, null, null, 0, DEFAULT_PAGE_SIZE, requestId);
            case AUTH -> new ApiRequest(name, null, null, 0, DEFAULT_PAGE_SIZE, requestId, token(root, requestId));
        };
    }

    /** The reply to an action no route serves: called from the content-based router's otherwise branch. */
    public ApiRequest unknownAction(ApiRequest request) {
        throw unknownAction(request.requestId());
    }

    private static ApiException unknownAction(String requestId) {
        return new ApiException(ErrorCode.UNKNOWN_ACTION,
                "Unknown action. Use one of run_view, fetch_results, cancel, query_status, list_views, export, auth.", null,
                requestId);
    }

    /** A run_view's question: its columns, filters and order_by, checked for shape. */
    private static Ask ask(JsonNode root, String requestId) {
        try {
            return Ask.parse(present(root.get("columns")), present(root.get("filters")),
                    present(root.get("order_by")));
        } catch (QuestionException e) {
            throw ApiException.badRequest(e.getMessage(), requestId);
        }
    }

    private static String format(JsonNode root, String requestId) {
        String format = requiredString(root, "format", requestId);
        if (ExportFormat.fromWire(format) == null) {
            throw ApiException.badRequest("The field 'format' must be one of csv, ndjson, parquet.", requestId);
        }
        return format;
    }

    private static String optionalString(JsonNode root, String field, String requestId) {
        JsonNode value = present(root.get(field));
        if (value != null && !value.isTextual()) {
            throw ApiException.badRequest("The field '" + field + "' must be a string.", requestId);
        }
        return value == null ? null : value.textValue();
    }

    private static boolean optionalBoolean(JsonNode root, String field, String requestId) {
        JsonNode value = present(root.get(field));
        if (value != null && !value.isBoolean()) {
            throw ApiException.badRequest("The field '" + field + "' must be true or false.", requestId);
        }
        return value != null && value.booleanValue();
    }

    private JsonNode readTree(String text) {
        if (text == null || text.isEmpty()) {
            throw ApiException.badRequest("A request must be a JSON object; the frame was empty.", null);
        }
        try (JsonParser parser = mapper.createParser(text)) {
            JsonNode node = mapper.readTree(parser);
            if (node == null || node.isMissingNode()) {
                throw ApiException.badRequest("A request must be a JSON object; the frame was empty.", null);
            }
            if (parser.nextToken() != null) {
                throw ApiException.badRequest("A frame must hold exactly one JSON value.", null);
            }
            return node;
        } catch (IOException e) {
            throw ApiException.badRequest(describe(e), null);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("Duplicate field")) {
            return "The request is not valid JSON: a key is repeated.";
        }
        if (message.contains("nesting depth")) {
            return "The request is not valid JSON: it is nested too deeply.";
        }
        return "The request is not valid JSON.";
    }

    private static JsonNode present(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    private static String requestId(JsonNode node) {
        JsonNode value = present(node);
        if (value == null) {
            return null;
        }
        if (!value.isTextual() || !isPrintableAscii(value.textValue(), MAX_REQUEST_ID_LENGTH)) {
            throw ApiException.badRequest(
                    "The field 'request_id' must be a string of 1 to 64 printable ASCII characters.", null);
        }
        return value.textValue();
    }

    private static boolean isPrintableAscii(String s, int maxLength) {
        if (s.isEmpty() || s.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static String requiredString(JsonNode root, String field, String requestId) {
        JsonNode value = present(root.get(field));
        if (value == null || !value.isTextual()) {
            throw ApiException.badRequest("The field '" + field + "' is required and must be a string.", requestId);
        }
        return value.textValue();
    }

    private static String token(JsonNode root, String requestId) {
        String token = requiredString(root, "token", requestId);
        if (token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw ApiException.badRequest("The field 'token' must be a string of 1 to " + MAX_TOKEN_LENGTH
                                          + " characters.", requestId);
        }
        return token;
    }

    private static long offset(JsonNode node, String requestId) {
        JsonNode value = present(node);
        if (value == null) {
            return 0;
        }
        String error = "The field 'offset' must be a non-negative integer up to 9007199254740991, "
                       + "as a JSON integer or a string of digits.";
        BigInteger number;
        if (value.isIntegralNumber()) {
            number = value.bigIntegerValue();
        } else if (value.isTextual() && isAsciiDigits(value.textValue())) {
            number = new BigInteger(value.textValue());
        } else {
            throw ApiException.badRequest(error, requestId);
        }
        if (number.signum() < 0 || number.compareTo(MAX_OFFSET_BIG) > 0) {
            throw ApiException.badRequest(error, requestId);
        }
        return number.longValueExact();
    }

    private static boolean isAsciiDigits(String s) {
        if (s.isEmpty() || s.length() > 32) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int pageSize(JsonNode node, String requestId, int cap) {
        JsonNode value = present(node);
        if (value == null) {
            return Math.min(DEFAULT_PAGE_SIZE, cap);
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 1
            || value.longValue() > cap) {
            throw ApiException.badRequest("The field 'page_size' must be an integer from 1 to " + cap + ".",
                    requestId);
        }
        return (int) value.longValue();
    }
}
