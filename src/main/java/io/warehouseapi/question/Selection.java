package io.warehouseapi.question;

import java.util.ArrayList;
import java.util.List;

import io.warehouseapi.model.Identifiers;

/**
 * A resolved question: which columns of a view (null: all), which rows ({@code where}, null: all) and in which order,
 * and the warehouse role it runs under ({@code role}, null: the service's own; Snowflake's, from the access policies).
 * Two equal selections ask the same question. {@link #statement} renders it as one SELECT whose identifiers are the
 * catalog's names, quoted, and whose every value is a bound parameter.
 */
public record Selection(String view, String sqlName, List<String> columns, Filter where, List<Order> orderBy,
                        String role) {

    public Selection {
        columns = columns == null ? null : List.copyOf(columns);
        orderBy = List.copyOf(orderBy);
    }

    /** A selection run under the service's own role. */
    public Selection(String view, String sqlName, List<String> columns, Filter where, List<Order> orderBy) {
        this(view, sqlName, columns, where, orderBy, null);
    }

    /** {@code SELECT * FROM <view>}, the original's question. */
    public static Selection wholeView(String view, String sqlName) {
        return new Selection(view, sqlName, null, null, List.of());
    }

    public boolean isWholeView() {
        return columns == null && where == null && orderBy.isEmpty();
    }

    /** The SELECT that answers this question in a warehouse's dialect, with its parameters in order. */
    public Statement statement(Dialect dialect) {
        StringBuilder sql = new StringBuilder("SELECT ");
        if (columns == null) {
            sql.append('*');
        } else {
            for (int i = 0; i < columns.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append(Identifiers.quote(columns.get(i)));
            }
        }
        sql.append(dialect.rowNumber(orderByClause()));
        sql.append(" FROM ").append(sqlName);
        List<Object> parameters = new ArrayList<>();
        if (where != null) {
            sql.append(" WHERE ");
            render(where, dialect, sql, parameters);
        }
        sql.append(orderByClause());
        return new Statement(sql.toString(), parameters);
    }

    /** The question's {@code ORDER BY ...}, with a leading space; empty when it asks no order. */
    public String orderByClause() {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < orderBy.size(); i++) {
            Order term = orderBy.get(i);
            sql.append(i == 0 ? " ORDER BY " : ", ").append(Identifiers.quote(term.column()))
                    .append(term.descending() ? " DESC" : " ASC")
                    .append(term.nullsFirst() ? " NULLS FIRST" : " NULLS LAST");
        }
        return sql.toString();
    }

    private static void render(Filter filter, Dialect dialect, StringBuilder sql, List<Object> parameters) {
        if (filter instanceof Filter.Group group) {
            sql.append('(');
            for (int i = 0; i < group.members().size(); i++) {
                sql.append(i == 0 ? "" : group.any() ? " OR " : " AND ");
                render(group.members().get(i), dialect, sql, parameters);
            }
            sql.append(')');
        } else if (filter instanceof Filter.Not not) {
            sql.append("(NOT ");
            render(not.inner(), dialect, sql, parameters);
            sql.append(')');
        } else {
            condition((Filter.Condition) filter, dialect, sql, parameters);
        }
    }

    private static void condition(Filter.Condition condition, Dialect dialect, StringBuilder sql,
                                  List<Object> parameters) {
        String column = Identifiers.quote(condition.column());
        boolean temporal = condition.type().castFromText();
        String placeholder = temporal ? dialect.temporalPlaceholder(condition.type()) : "?";
        switch (condition.op()) {
            case IS_NULL -> sql.append('(').append(column).append(" IS NULL)");
            case NOT_NULL -> sql.append('(').append(column).append(" IS NOT NULL)");
            case CONTAINS -> sql.append(dialect.contains()).append('(').append(column).append(", ?)");
            case STARTS_WITH -> sql.append(dialect.startsWith()).append('(').append(column).append(", ?)");
            case IN -> {
                sql.append('(').append(column).append(" IN (");
                for (int i = 0; i < condition.values().size(); i++) {
                    sql.append(i == 0 ? "" : ", ").append(placeholder);
                }
                sql.append("))");
            }
            default -> sql.append('(').append(column).append(' ').append(condition.op().comparison()).append(' ')
                    .append(placeholder).append(')');
        }
        for (Object value : condition.values()) {
            parameters.add(temporal ? dialect.temporalValue(condition.type(), value) : value);
        }
    }

    /** One SELECT and the values bound to its parameters, in order. */
    public record Statement(String sql, List<Object> parameters) {
        public Statement {
            parameters = List.copyOf(parameters);
        }
    }
}
