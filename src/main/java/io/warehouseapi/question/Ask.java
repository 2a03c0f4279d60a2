package io.warehouseapi.question;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.warehouseapi.model.Column;
import io.warehouseapi.model.ExposedView;
import io.warehouseapi.model.Identifiers;

/**
 * The question of a {@code run_view} as the client sent it: its {@code columns}, {@code filters} and
 * {@code order_by}, checked for shape when the frame is parsed ({@link #parse}), and checked against a view's catalog
 * entry when the query is submitted ({@link #resolve}). Every failure is a {@link QuestionException} whose message
 * names the field (such as {@code filters.and[1].value}) and says why. Limits are those of the protocol.
 */
public final class Ask {

    public static final int MAX_COLUMNS = 1000;
    public static final int MAX_IN_VALUES = 1000;
    public static final int MAX_GROUP_MEMBERS = 100;
    public static final int MAX_DEPTH = 8;
    public static final int MAX_CONDITIONS = 100;
    public static final int MAX_ORDER_BY = 8;

    private static final Set<String> CONDITION_KEYS = Set.of("column", "op", "value");
    private static final Set<String> ORDER_KEYS = Set.of("column", "direction", "nulls");

    /** The whole view: no columns chosen, no filter, no order. */
    public static final Ask WHOLE_VIEW = new Ask(null, null, null);

    private final JsonNode columns;
    private final JsonNode filters;
    private final JsonNode orderBy;

    private Ask(JsonNode columns, JsonNode filters, JsonNode orderBy) {
        this.columns = columns;
        this.filters = filters;
        this.orderBy = orderBy;
    }

    /**
     * The question of a {@code run_view} frame, its shape checked: field types, sizes, depth, keys, operators and
     * the presence of values. Names and value types are checked against the view later, in {@link #resolve}.
     */
    public static Ask parse(JsonNode columns, JsonNode filters, JsonNode orderBy) {
        if (columns == null && filters == null && orderBy == null) {
            return WHOLE_VIEW;
        }
        Ask ask = new Ask(columns, filters, orderBy);
        // a dry run against no catalog: every check that needs no column
        ask.walk(null);
        return ask;
    }

    /** Whether the client asked for the whole view, as the original {@code run_view} does. */
    public boolean isWholeView() {
        return columns == null && filters == null && orderBy == null;
    }

    /** The question asked of a view: names from its catalog entry, values bound to its columns' types. */
    public Selection resolve(ExposedView view) {
        return walk(view);
    }

    /** Checks the question; with a view, also resolves it. */
    private Selection walk(ExposedView view) {
        List<String> chosen = columns == null ? null : columns(view);
        Filter where = null;
        if (filters != null) {
            int[] conditions = {0};
            where = filter(filters, "filters", 1, conditions, view);
        }
        List<Order> order = orderBy == null ? List.of() : order(view);
        return view == null ? null
                : new Selection(view.name(), view.sqlName(), chosen, where, order);
    }

    private List<String> columns(ExposedView view) {
        if (!columns.isArray() || columns.isEmpty() || columns.size() > MAX_COLUMNS) {
            throw new QuestionException("columns must be an array of 1 to " + MAX_COLUMNS + " column names.");
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < columns.size(); i++) {
            String path = "columns[" + i + "]";
            Column column = column(columns.get(i), path, view);
            if (column != null) {
                if (!seen.add(column.name())) {
                    throw new QuestionException(path + " repeats the column " + column.name() + ".");
                }
                names.add(column.name());
            }
        }
        return names;
    }

    private Filter filter(JsonNode node, String path, int depth, int[] conditions, ExposedView view) {
        if (depth > MAX_DEPTH) {
            throw new QuestionException(path + " is nested more than " + MAX_DEPTH + " deep.");
        }
        if (node == null || !node.isObject() || node.size() == 0) {
            throw new QuestionException(path + " must be a condition {\"column\", \"op\", \"value\"} or a group "
                                        + "{\"and\": [...]}, {\"or\": [...]} or {\"not\": {...}}.");
        }
        if (node.has("and") || node.has("or") || node.has("not")) {
            if (node.size() != 1) {
                throw new QuestionException(path + " must hold one key, and, or or not, alone.");
            }
            String key = node.fieldNames().next();
            JsonNode inner = node.get(key);
            if (key.equals("not")) {
                Filter negated = filter(inner, path + ".not", depth + 1, conditions, view);
                return view == null ? null : new Filter.Not(negated);
            }
            if (!inner.isArray() || inner.isEmpty() || inner.size() > MAX_GROUP_MEMBERS) {
                throw new QuestionException(path + "." + key + " must be an array of 1 to " + MAX_GROUP_MEMBERS
                                            + " filter expressions.");
            }
            List<Filter> members = new ArrayList<>();
            for (int i = 0; i < inner.size(); i++) {
                members.add(filter(inner.get(i), path + "." + key + "[" + i + "]", depth + 1, conditions, view));
            }
            // in the dry run (no view) the members are null: nothing is built
            return view == null ? null : new Filter.Group(key.equals("or"), members);
        }
        return condition(node, path, conditions, view);
    }

    private Filter condition(JsonNode node, String path, int[] conditions, ExposedView view) {
        onlyKeys(node, CONDITION_KEYS, path + " has an unknown key; a condition has column, op and value.");
        if (++conditions[0] > MAX_CONDITIONS) {
            throw new QuestionException("filters holds more than " + MAX_CONDITIONS + " conditions.");
        }
        JsonNode opNode = node.get("op");
        if (opNode == null || !opNode.isTextual()) {
            throw new QuestionException(path + ".op is required and must be a string.");
        }
        Operator op = Operator.fromWire(opNode.textValue());
        if (op == null) {
            throw new QuestionException(path + ".op is not an operator; use one of eq, neq, lt, lte, gt, gte, in, "
                                        + "contains, starts_with, is_null, not_null.");
        }
        Column column = column(node.get("column"), path + ".column", view);
        JsonNode value = node.get("value");
        String valuePath = path + ".value";
        if (op.arity() == Operator.Arity.NONE) {
            if (value != null) {
                throw new QuestionException(valuePath + " must be left out for " + op.wireName() + ".");
            }
        } else if (value == null || value.isNull()) {
            throw new QuestionException(valuePath + " is required for " + op.wireName() + ".");
        } else if (op.arity() == Operator.Arity.LIST) {
            if (!value.isArray() || value.isEmpty() || value.size() > MAX_IN_VALUES) {
                throw new QuestionException(valuePath + " must be an array of 1 to " + MAX_IN_VALUES + " values.");
            }
            for (int i = 0; i < value.size(); i++) {
                if (!value.get(i).isValueNode() || value.get(i).isNull()) {
                    throw new QuestionException(valuePath + "[" + i + "] must be a string, number or boolean.");
                }
            }
        } else if (op.arity() == Operator.Arity.TEXT && !value.isTextual()) {
            throw new QuestionException(valuePath + " must be a string for " + op.wireName() + ".");
        } else if (!value.isValueNode()) {
            throw new QuestionException(valuePath + " must be a string, number or boolean.");
        }
        if (column == null) {
            return null;
        }
        ColumnType type = ColumnType.of(column.type());
        if (!type.operators().contains(op)) {
            throw new QuestionException(path + ".op " + op.wireName() + " does not apply to column " + column.name()
                                        + " (" + column.type() + "); use one of "
                                        + String.join(", ", type.operatorNames()) + ".");
        }
        List<Object> values = new ArrayList<>();
        if (op.arity() == Operator.Arity.LIST) {
            for (int i = 0; i < value.size(); i++) {
                values.add(type.bind(value.get(i), valuePath + "[" + i + "]", column.name(), column.type()));
            }
        } else if (op.arity() != Operator.Arity.NONE) {
            values.add(type.bind(value, valuePath, column.name(), column.type()));
        }
        return new Filter.Condition(column.name(), type, op, values);
    }

    private List<Order> order(ExposedView view) {
        if (!orderBy.isArray() || orderBy.isEmpty() || orderBy.size() > MAX_ORDER_BY) {
            throw new QuestionException("order_by must be an array of 1 to " + MAX_ORDER_BY + " terms.");
        }
        List<Order> order = new ArrayList<>();
        for (int i = 0; i < orderBy.size(); i++) {
            String path = "order_by[" + i + "]";
            JsonNode term = orderBy.get(i);
            if (!term.isObject()) {
                throw new QuestionException(path + " must be an object {\"column\", \"direction\", \"nulls\"}.");
            }
            onlyKeys(term, ORDER_KEYS, path + " has an unknown key; a term has column, direction and nulls.");
            String direction = choice(term.get("direction"), path + ".direction", "asc", "desc");
            String nulls = choice(term.get("nulls"), path + ".nulls", "last", "first");
            Column column = column(term.get("column"), path + ".column", view);
            if (column != null) {
                order.add(new Order(column.name(), direction.equals("desc"), nulls.equals("first")));
            }
        }
        return order;
    }

    /** Refuses an object with a key outside {@code allowed}. */
    private static void onlyKeys(JsonNode node, Set<String> allowed, String unknown) {
        for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
            if (!allowed.contains(keys.next())) {
                throw new QuestionException(unknown);
            }
        }
    }

    private static String choice(JsonNode node, String path, String byDefault, String other) {
        if (node == null || node.isNull()) {
            return byDefault;
        }
        if (!node.isTextual() || !(node.textValue().equals(byDefault) || node.textValue().equals(other))) {
            throw new QuestionException(path + " must be " + byDefault + " or " + other + ".");
        }
        return node.textValue();
    }

    /** The catalog column a name stands for (null in the dry run); matched as view names are. */
    private static Column column(JsonNode name, String path, ExposedView view) {
        if (name == null || !name.isTextual() || name.textValue().isEmpty() || name.textValue().length() > 255) {
            throw new QuestionException(path + " must be a column name.");
        }
        if (view == null) {
            return null;
        }
        for (Column column : view.columns()) {
            if (Identifiers.equalsIgnoreAsciiCase(column.name(), name.textValue())) {
                return column;
            }
        }
        throw new QuestionException(path + " is not a column of " + view.name() + ".");
    }

    /** The fields as sent, for logs: sizes only, never values. */
    @Override
    public String toString() {
        return isWholeView() ? "whole view" : Map.of(
                "columns", columns == null ? 0 : columns.size(),
                "filters", filters == null ? 0 : 1,
                "order_by", orderBy == null ? 0 : orderBy.size()).toString();
    }
}
