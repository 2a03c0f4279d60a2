package io.warehouseapi.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.warehouseapi.model.Column;
import io.warehouseapi.model.ExposedView;
import io.warehouseapi.model.Identifiers;
import io.warehouseapi.question.ColumnType;
import io.warehouseapi.question.Operator;
import io.warehouseapi.question.Scope;

/**
 * The access policies of one file ({@code api.access.policies-file}): which views, columns and rows each role may
 * see. A principal's roles are the values of one claim of its security context ({@code roles_claim}, a string or an
 * array of strings); a view no role of it grants does not exist for it. Several roles granting one view combine
 * permissively (the union of their columns, the OR of their rows filters). A rows filter is written in the
 * question's own filter language, where a condition may take its value from a claim ({@code "claim": "<name>"} in
 * place of {@code "value"}); a rule whose filter names a claim the principal lacks, or whose value does not fit the
 * column, grants nothing ({@link PrincipalScope}). Immutable: a changed file is parsed into a new instance.
 */
public final class AccessPolicies {

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final Set<String> TOP_KEYS = Set.of("roles_claim", "roles", "tenant_claim", "tenant_queries");
    /** Principals without the tenant claim form one tenant of this name. */
    static final String NO_TENANT = "-";
    /** How many queries a tenant may have running or waiting at once, unless tenant_queries says. */
    static final int DEFAULT_TENANT_QUERIES = 8;
    private static final Set<String> CONDITION_KEYS = Set.of("column", "op", "value", "claim");

    /** One role's grant of one view: its columns (upper-case names; null: every column) and rows (null: every row). */
    record Rule(Set<String> columns, JsonNode rows, String warehouseRole) {
    }

    /** A Snowflake role's name, as an unquoted identifier. */
    private static final java.util.regex.Pattern WAREHOUSE_ROLE =
            java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,254}");

    private final String rolesClaim;
    /** The claim that names a principal's tenant; null: no tenants. */
    private final String tenantClaim;
    private final int tenantQueries;
    /** role, then the view's upper-case name, then the rule; sorted, so that a combined filter is always the same. */
    private final Map<String, Map<String, Rule>> roles;

    /** The claims the rows filters read, sorted. */
    private final Set<String> claimsRead = new java.util.TreeSet<>();
    /** A digest of the policies' text. */
    private final String digest;

    private AccessPolicies(String rolesClaim, String tenantClaim, int tenantQueries,
                           Map<String, Map<String, Rule>> roles, String text) {
        this.rolesClaim = rolesClaim;
        this.tenantClaim = tenantClaim;
        this.tenantQueries = tenantQueries;
        this.roles = roles;
        for (Map<String, Rule> views : roles.values()) {
            for (Rule rule : views.values()) {
                if (rule.rows() != null) {
                    collectClaims(rule.rows(), claimsRead);
                }
            }
        }
        this.digest = sha256(text);
    }

    private static void collectClaims(JsonNode node, Set<String> claims) {
        if (node.has("claim")) {
            claims.add(node.get("claim").textValue());
        }
        for (JsonNode child : node) {
            if (child.isContainerNode()) {
                collectClaims(child, claims);
            }
        }
    }

    /** Parses a policies file's text, checking its shape and operators; {@code source} names it in errors. */
    public static AccessPolicies parse(String text, String source) throws PolicyException {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new PolicyException(source + " is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new PolicyException(source + " must be a mapping with roles_claim and roles.");
        }
        onlyKeys(root, TOP_KEYS, source, "");
        JsonNode claim = root.path("roles_claim");
        String rolesClaim = claim.isMissingNode() ? "roles" : claim.asText("");
        if (!claim.isMissingNode() && (!claim.isTextual() || rolesClaim.isBlank())) {
            throw new PolicyException(source + ": roles_claim must be a claim's name.");
        }
        JsonNode tenantNode = root.path("tenant_claim");
        if (!tenantNode.isMissingNode() && (!tenantNode.isTextual() || tenantNode.textValue().isBlank())) {
            throw new PolicyException(source + ": tenant_claim must be a claim's name.");
        }
        JsonNode queriesNode = root.path("tenant_queries");
        if (!queriesNode.isMissingNode() && (!queriesNode.canConvertToInt() || !queriesNode.isIntegralNumber()
                                             || queriesNode.intValue() < 1)) {
            throw new PolicyException(source + ": tenant_queries must be a whole number of at least 1.");
        }
        if (tenantNode.isMissingNode() && !queriesNode.isMissingNode()) {
            throw new PolicyException(source + ": tenant_queries needs a tenant_claim.");
        }
        JsonNode rolesNode = root.path("roles");
        if (!rolesNode.isObject()) {
            throw new PolicyException(source + ": roles must be a mapping of role names to their views.");
        }
        Map<String, Map<String, Rule>> roles = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = rolesNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> role = it.next();
            String where = "roles." + role.getKey();
            JsonNode roleNode = role.getValue();
            if (!roleNode.isObject()) {
                throw new PolicyException(source + ": " + where + " must be a mapping with views.");
            }
            onlyKeys(roleNode, Set.of("views", "snowflake_role"), source, where);
            JsonNode warehouseRole = roleNode.path("snowflake_role");
            if (!warehouseRole.isMissingNode()
                && (!warehouseRole.isTextual() || !WAREHOUSE_ROLE.matcher(warehouseRole.textValue()).matches())) {
                throw new PolicyException(source + ": " + where + ".snowflake_role must be a role's name (letters, "
                                          + "digits, _ and $, not starting with a digit).");
            }
            String runAs = warehouseRole.isMissingNode() ? null : upper(warehouseRole.textValue());
            JsonNode views = roleNode.path("views");
            if (!views.isObject()) {
                throw new PolicyException(source + ": " + where + ".views must be a mapping of view names to rules.");
            }
            Map<String, Rule> rules = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> v = views.fields(); v.hasNext(); ) {
                Map.Entry<String, JsonNode> view = v.next();
                String at = where + ".views." + view.getKey();
                rules.put(upper(view.getKey()), rule(view.getValue(), source, at, runAs));
            }
            roles.put(role.getKey(), rules);
        }
        return new AccessPolicies(rolesClaim, tenantNode.isMissingNode() ? null : tenantNode.textValue(),
                queriesNode.isMissingNode() ? DEFAULT_TENANT_QUERIES : queriesNode.intValue(), roles, text);
    }

    private static Rule rule(JsonNode node, String source, String at, String warehouseRole) throws PolicyException {
        if (node == null || node.isNull()) {
            return new Rule(null, null, warehouseRole);
        }
        if (!node.isObject()) {
            throw new PolicyException(source + ": " + at + " must be a mapping ({} for every column and row).");
        }
        onlyKeys(node, Set.of("columns", "rows"), source, at);
        Set<String> columns = null;
        JsonNode columnsNode = node.get("columns");
        if (columnsNode != null) {
            if (!columnsNode.isArray() || columnsNode.isEmpty()) {
                throw new PolicyException(source + ": " + at + ".columns must be a list of column names.");
            }
            columns = new LinkedHashSet<>();
            for (JsonNode column : columnsNode) {
                if (!column.isTextual() || column.textValue().isBlank()) {
                    throw new PolicyException(source + ": " + at + ".columns must be a list of column names.");
                }
                columns.add(upper(column.textValue()));
            }
        }
        JsonNode rows = node.get("rows");
        if (rows != null) {
            checkFilter(rows, source, at + ".rows", 1);
        }
        return new Rule(columns, rows, warehouseRole);
    }

    /** The shape of a rows filter: groups, conditions with a known operator and a value or a claim. */
    private static void checkFilter(JsonNode node, String source, String at, int depth) throws PolicyException {
        if (depth > 8 || node == null || !node.isObject() || node.isEmpty()) {
            throw new PolicyException(source + ": " + at + " must be a condition {column, op, value or claim} or a "
                                      + "group {and: [...]}, {or: [...]}, {not: {...}}, at most 8 deep.");
        }
        if (node.has("and") || node.has("or")) {
            JsonNode members = node.has("and") ? node.get("and") : node.get("or");
            if (node.size() != 1 || !members.isArray() || members.isEmpty()) {
                throw new PolicyException(source + ": " + at + " must hold one list of filters under and or or.");
            }
            for (int i = 0; i < members.size(); i++) {
                checkFilter(members.get(i), source, at + (node.has("and") ? ".and[" : ".or[") + i + "]", depth + 1);
            }
            return;
        }
        if (node.has("not")) {
            if (node.size() != 1) {
                throw new PolicyException(source + ": " + at + " must hold not alone.");
            }
            checkFilter(node.get("not"), source, at + ".not", depth + 1);
            return;
        }
        onlyKeys(node, CONDITION_KEYS, source, at);
        if (!node.path("column").isTextual()) {
            throw new PolicyException(source + ": " + at + ".column must be a column name.");
        }
        Operator op = node.path("op").isTextual() ? Operator.fromWire(node.path("op").textValue()) : null;
        if (op == null) {
            throw new PolicyException(source + ": " + at + ".op is not an operator of the filter language.");
        }
        boolean hasValue = node.has("value");
        boolean hasClaim = node.has("claim");
        if (op.arity() == Operator.Arity.NONE ? hasValue || hasClaim : hasValue == hasClaim) {
            throw new PolicyException(source + ": " + at + (op.arity() == Operator.Arity.NONE
                    ? " takes neither value nor claim with " + op.wireName() + "."
                    : " needs either a value or a claim, not both."));
        }
        if (hasClaim && (!node.get("claim").isTextual() || node.get("claim").textValue().isBlank())) {
            throw new PolicyException(source + ": " + at + ".claim must be a claim's name.");
        }
    }

    /**
     * Checks every name the policies use against the catalog: each view exists, each granted column and each column a
     * rows filter names is one of the view's, and each operator applies to its column's type.
     */
    public void checkAgainst(List<ExposedView> catalog, String source) throws PolicyException {
        for (Map.Entry<String, Map<String, Rule>> role : roles.entrySet()) {
            for (Map.Entry<String, Rule> entry : role.getValue().entrySet()) {
                String at = "roles." + role.getKey() + ".views." + entry.getKey();
                ExposedView view = find(catalog, entry.getKey());
                if (view == null) {
                    throw new PolicyException(source + ": " + at + " names a view the API does not expose.");
                }
                Rule rule = entry.getValue();
                if (rule.columns() != null) {
                    for (String column : rule.columns()) {
                        if (column(view, column) == null) {
                            throw new PolicyException(source + ": " + at + ".columns names " + column
                                                      + ", which is not a column of " + view.name() + ".");
                        }
                    }
                }
                if (rule.rows() != null) {
                    checkNames(rule.rows(), view, source, at + ".rows");
                }
            }
        }
    }

    private static void checkNames(JsonNode node, ExposedView view, String source, String at) throws PolicyException {
        for (String group : List.of("and", "or")) {
            if (node.has(group)) {
                for (int i = 0; i < node.get(group).size(); i++) {
                    checkNames(node.get(group).get(i), view, source, at + "." + group + "[" + i + "]");
                }
                return;
            }
        }
        if (node.has("not")) {
            checkNames(node.get("not"), view, source, at + ".not");
            return;
        }
        Column column = column(view, node.get("column").textValue());
        if (column == null) {
            throw new PolicyException(source + ": " + at + ".column names " + node.get("column").textValue()
                                      + ", which is not a column of " + view.name() + ".");
        }
        Operator op = Operator.fromWire(node.get("op").textValue());
        if (!ColumnType.of(column.type()).operators().contains(op)) {
            throw new PolicyException(source + ": " + at + ".op " + op.wireName() + " does not apply to "
                                      + column.name() + " (" + column.type() + ").");
        }
    }

    /**
     * A digest of all that decides a principal's scope: these policies, its roles, and the values of every claim the
     * policies read. Equal digests mean equal scopes; a change of the file or of a claim that matters changes it.
     */
    public String scopeKey(JsonNode claims) {
        StringBuilder decided = new StringBuilder(digest).append('\n').append(rolesOf(claims)).append('\n')
                .append(tenantOf(claims));
        for (String claim : claimsRead) {
            JsonNode value = claims == null ? null : claims.get(claim);
            decided.append('\n').append(claim).append('=').append(value == null ? "" : value.toString());
        }
        return sha256(decided.toString()).substring(0, 24);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The Snowflake roles the policies name, for a pool of sessions each. */
    public Set<String> warehouseRoles() {
        Set<String> names = new java.util.TreeSet<>();
        for (Map<String, Rule> views : roles.values()) {
            for (Rule rule : views.values()) {
                if (rule.warehouseRole() != null) {
                    names.add(rule.warehouseRole());
                }
            }
        }
        return names;
    }

    /** The scope of a principal whose security context holds these claims. */
    public Scope scopeFor(JsonNode claims) {
        Map<String, List<Rule>> granted = new TreeMap<>();
        for (String role : rolesOf(claims)) {
            Map<String, Rule> views = roles.get(role);
            if (views != null) {
                views.forEach((view, rule) -> granted.computeIfAbsent(view, v -> new ArrayList<>()).add(rule));
            }
        }
        return new PrincipalScope(granted, claims, tenantOf(claims));
    }

    /** The principal's tenant: the tenant claim's string or number; without it, the tenant of those without one. */
    private Scope.Tenant tenantOf(JsonNode claims) {
        if (tenantClaim == null) {
            return null;
        }
        JsonNode value = claims == null ? null : claims.get(tenantClaim);
        String name = value != null && (value.isTextual() || value.isIntegralNumber()) && !value.asText().isBlank()
                ? value.asText() : NO_TENANT;
        return new Scope.Tenant(name.length() > 256 ? name.substring(0, 256) : name, tenantQueries);
    }

    /** The principal's roles: the roles claim's string, or its array's strings, in a stable order. */
    private Set<String> rolesOf(JsonNode claims) {
        Set<String> names = new java.util.TreeSet<>();
        JsonNode value = claims == null ? null : claims.get(rolesClaim);
        if (value != null && value.isTextual()) {
            names.add(value.textValue());
        } else if (value != null && value.isArray()) {
            for (JsonNode role : value) {
                if (role.isTextual()) {
                    names.add(role.textValue());
                }
            }
        }
        return names;
    }

    static ExposedView find(List<ExposedView> catalog, String name) {
        for (ExposedView view : catalog) {
            if (Identifiers.equalsIgnoreAsciiCase(view.name(), name)) {
                return view;
            }
        }
        return null;
    }

    static Column column(ExposedView view, String name) {
        for (Column column : view.columns()) {
            if (Identifiers.equalsIgnoreAsciiCase(column.name(), name)) {
                return column;
            }
        }
        return null;
    }

    static String upper(String name) {
        return name.toUpperCase(Locale.ROOT);
    }

    private static void onlyKeys(JsonNode node, Set<String> allowed, String source, String at)
            throws PolicyException {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new PolicyException(source + ": " + (at.isEmpty() ? "" : at + " has ") + "an unknown key "
                                          + name + "; expected " + String.join(", ", new java.util.TreeSet<>(allowed))
                                          + ".");
            }
        }
    }
}
