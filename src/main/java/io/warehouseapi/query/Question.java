package io.warehouseapi.query;

import io.warehouseapi.question.Selection;

/**
 * One question asked of the warehouse: a selection of a view, as the view is defined now. Identical questions share
 * one warehouse query and its result. A result taken up from another replica has no selection of its own.
 */
record Question(String view, String definition, Selection selection) {

    /** The question of a result taken up from another replica: it answers only the ids that name it. */
    static Question adopted(String view, String warehouseId) {
        return new Question(view.isEmpty() ? "RESULT" : view, "adopted:" + warehouseId, null);
    }
}
