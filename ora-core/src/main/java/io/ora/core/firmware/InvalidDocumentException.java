package io.ora.core.firmware;

/**
 * A firmware document (an envelope, root or release metadata) that is not well formed: not JSON, a field missing,
 * of the wrong type or not allowed, a value out of its bounds. The message says which, and holds no key material.
 */
public final class InvalidDocumentException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidDocumentException(String message) {
        super(message);
    }
}
