package io.warehouseapi.access;

/** An access policies file that cannot be used, with a sentence that names the file and what is wrong in it. */
public class PolicyException extends Exception {

    public PolicyException(String message) {
        super(message);
    }
}
