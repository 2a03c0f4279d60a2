package io.warehouseapi.question;

/** A question that cannot be asked as sent: its message names the offending field and says why. */
public class QuestionException extends RuntimeException {

    public QuestionException(String message) {
        super(message, null, false, false);
    }
}
