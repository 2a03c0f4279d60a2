package io.warehouseapi.question;

import java.util.Locale;

/** The filter operators of {@code run_view}'s {@code filters}, by their wire names. */
public enum Operator {
    EQ(Arity.ONE, "="),
    NEQ(Arity.ONE, "<>"),
    LT(Arity.ONE, "<"),
    LTE(Arity.ONE, "<="),
    GT(Arity.ONE, ">"),
    GTE(Arity.ONE, ">="),
    IN(Arity.LIST, null),
    CONTAINS(Arity.TEXT, null),
    STARTS_WITH(Arity.TEXT, null),
    IS_NULL(Arity.NONE, null),
    NOT_NULL(Arity.NONE, null);

    /** What an operator's {@code value} is: one scalar, a list of them, a string, or nothing. */
    public enum Arity {
        ONE, LIST, TEXT, NONE
    }

    private final Arity arity;
    private final String comparison;

    Operator(Arity arity, String comparison) {
        this.arity = arity;
        this.comparison = comparison;
    }

    public Arity arity() {
        return arity;
    }

    /** The SQL comparison of a one-value operator ({@code =}, {@code <}, ...), else null. */
    String comparison() {
        return comparison;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The operator of a wire name, or null. */
    public static Operator fromWire(String name) {
        for (Operator op : values()) {
            if (op.wireName().equals(name)) {
                return op;
            }
        }
        return null;
    }
}
