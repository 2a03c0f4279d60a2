package io.warehouseapi.access;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.warehouseapi.model.Column;
import io.warehouseapi.model.ExposedView;
import io.warehouseapi.question.Ask;
import io.warehouseapi.question.Filter;
import io.warehouseapi.question.Operator;
import io.warehouseapi.question.QuestionException;
import io.warehouseapi.question.Scope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scope of one principal under the access policies: the rules its roles grant, per view, and its claims. A rule's
 * rows filter takes each claim's value in place of the claim, and is then checked and bound by the question's own
 * parser against the whole view, as a client's filter is; a claim that is missing or whose value does not fit
 * (wrong type, an object, too many values) makes that rule grant nothing.
 */
final class PrincipalScope implements Scope {

    private static final Logger LOG = LoggerFactory.getLogger(PrincipalScope.class);

    private final Map<String, List<AccessPolicies.Rule>> granted;
    private final JsonNode claims;
    private final Tenant tenant;

    PrincipalScope(Map<String, List<AccessPolicies.Rule>> granted, JsonNode claims, Tenant tenant) {
        this.granted = granted;
        this.claims = claims;
        this.tenant = tenant;
    }

    @Override
    public Tenant tenant() {
        return tenant;
    }

    @Override
    public Access of(ExposedView view) {
        List<AccessPolicies.Rule> rules = granted.get(AccessPolicies.upper(view.name()));
        if (rules == null) {
            return null;
        }
        boolean everyColumn = false;
        boolean everyRow = false;
        Set<String> columns = new LinkedHashSet<>();
        List<Filter> filters = new ArrayList<>();
        int applied = 0;
        Set<String> runAs = new java.util.HashSet<>();
        for (AccessPolicies.Rule rule : rules) {
            Filter rows = null;
            if (rule.rows() != null) {
                rows = bind(rule.rows(), view);
                if (rows == null) {
                    continue;
                }
            }
            applied++;
            runAs.add(rule.warehouseRole() == null ? "" : rule.warehouseRole());
            if (rule.columns() == null) {
                everyColumn = true;
            } else {
                columns.addAll(rule.columns());
            }
            if (rows == null) {
                everyRow = true;
            } else {
                filters.add(rows);
            }
        }
        if (applied == 0) {
            return null;
        }
        if (runAs.size() > 1) {
            // one query runs under one role: roles that would run it under different ones grant nothing together
            LOG.warn("view={}: the principal's roles name different Snowflake roles for it ({}); it is not granted",
                    view.name(), runAs);
            return null;
        }
        String warehouseRole = runAs.iterator().next();
        ExposedView visible = view;
        if (!everyColumn) {
            List<Column> kept = new ArrayList<>();
            for (Column column : view.columns()) {
                if (columns.contains(AccessPolicies.upper(column.name()))) {
                    kept.add(column);
                }
            }
            visible = new ExposedView(view.name(), view.sqlName(), kept, view.definition());
        }
        Filter rows = everyRow ? null : filters.size() == 1 ? filters.get(0) : new Filter.Group(true, filters);
        return new Access(visible, rows, !everyColumn, warehouseRole.isEmpty() ? null : warehouseRole);
    }

    /** A rule's rows filter with its claims' values, resolved against the whole view; null if it cannot be. */
    private Filter bind(JsonNode rows, ExposedView view) {
        JsonNode filter;
        try {
            filter = withClaims(rows);
        } catch (MissingClaim e) {
            LOG.debug("view={}: a rule needs the claim {}, which the principal lacks; it grants nothing", view.name(),
                    e.getMessage());
            return null;
        }
        try {
            return Ask.parse(null, filter, null).resolve(view).where();
        } catch (QuestionException e) {
            // the claim's value is never logged: it may be anything a token issuer put there
            LOG.debug("view={}: a rule's claim does not fit its column; it grants nothing", view.name());
            return null;
        }
    }

    private JsonNode withClaims(JsonNode node) throws MissingClaim {
        if (!node.isObject()) {
            return node;
        }
        ObjectNode copy = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if (field.getKey().equals("claim")) {
                copy.set("value", claimValue(value.textValue(), node.path("op").asText()));
            } else if (value.isArray()) {
                ArrayNode members = copy.putArray(field.getKey());
                for (JsonNode member : value) {
                    members.add(withClaims(member));
                }
            } else {
                copy.set(field.getKey(), withClaims(value));
            }
        }
        return copy;
    }

    /** A claim's value as a condition's value: a single value becomes a list of one for {@code in}. */
    private JsonNode claimValue(String name, String op) throws MissingClaim {
        JsonNode value = claims == null ? null : claims.get(name);
        if (value == null || value.isNull()) {
            throw new MissingClaim(name);
        }
        if (Operator.fromWire(op).arity() == Operator.Arity.LIST && !value.isArray()) {
            return JsonNodeFactory.instance.arrayNode().add(value);
        }
        return value;
    }

    private static final class MissingClaim extends Exception {
        MissingClaim(String name) {
            super(name, null, false, false);
        }
    }
}
