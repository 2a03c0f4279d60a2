package io.warehouseapi.api;

import java.util.Locale;

/** The actions a client may ask for; the wire name is the lower-case name. */
public enum Action {
    RUN_VIEW,
    FETCH_RESULTS,
    CANCEL,
    QUERY_STATUS,
    LIST_VIEWS,
    EXPORT,
    AUTH;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Action fromWire(String name) {
        for (Action action : values()) {
            if (action.wireName().equals(name)) {
                return action;
            }
        }
        return null;
    }
}
