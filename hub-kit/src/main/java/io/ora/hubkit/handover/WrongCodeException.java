package io.ora.hubkit.handover;

/**
 * The AccessKey code does not open a Project Key envelope. AES-GCM cannot tell a wrong code from an envelope that
 * was changed (tampered with, corrupted, or moved to another project), so this one exception stands for all of
 * them. Its message never carries the code, nor anything derived from it.
 */
public final class WrongCodeException extends Exception {

    public WrongCodeException() {
        super("the code does not open this envelope");
    }
}
