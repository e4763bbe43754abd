package io.ora.hubkit;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * A {@link SecureRandom} for known-answer tests: hands out the given byte strings, in order, one per
 * {@code nextBytes}, each exactly filling the request. Asking for a different size, or once too often, fails, so a
 * test also pins down what the code under test draws and in which order.
 */
public final class ScriptedRandom extends SecureRandom {

    private final Deque<byte[]> answers = new ArrayDeque<>();

    public ScriptedRandom(byte[]... answers) {
        this.answers.addAll(Arrays.asList(answers));
    }

    @Override
    public void nextBytes(byte[] bytes) {
        byte[] next = answers.removeFirst();
        if (next.length != bytes.length) {
            throw new IllegalStateException("asked for " + bytes.length + " bytes, had " + next.length);
        }
        System.arraycopy(next, 0, bytes, 0, bytes.length);
    }
}
