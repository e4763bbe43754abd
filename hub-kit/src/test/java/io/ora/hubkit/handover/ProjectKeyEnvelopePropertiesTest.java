package io.ora.hubkit.handover;

import static io.ora.hubkit.handover.Envelopes.CODE;
import static io.ora.hubkit.handover.Envelopes.FAST;
import static io.ora.hubkit.handover.Envelopes.PROJECT;
import static io.ora.hubkit.handover.Envelopes.flipBit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.core.handover.AccessKeyCode;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Properties of the envelope with real crypto, so tries are few (each is one or two Argon2 runs at
 * {@link Envelopes#FAST}).
 */
class ProjectKeyEnvelopePropertiesTest {

    private static final int SALT_BITS = 16 * 8;
    private static final int NONCE_BITS = 12 * 8;
    private static final int CIPHERTEXT_BITS = (32 + 16) * 8;

    private static String envelope;

    @BeforeContainer
    static void wrapOnce() {
        envelope = ProjectKeyEnvelope.wrap(new byte[32], CODE, PROJECT, FAST);
    }

    @Property(tries = 30)
    void whatIsWrappedUnwraps(@ForAll @Size(min = 1, max = 1024) byte[] projectKey,
                              @ForAll("codes") AccessKeyCode code, @ForAll("projects") UUID project)
            throws WrongCodeException {
        String wrapped = ProjectKeyEnvelope.wrap(projectKey, code, project, FAST);
        assertThat(ProjectKeyEnvelope.unwrap(wrapped, code, project)).isEqualTo(projectKey);
    }

    /** Any one bit of salt, nonce, ciphertext or tag, numbered through the three in that order. */
    @Property(tries = 40)
    void noSingleFlippedBitOpens(@ForAll @IntRange(min = 0, max = SALT_BITS + NONCE_BITS + CIPHERTEXT_BITS - 1)
                                 int bit) {
        String changed;
        if (bit < SALT_BITS) {
            changed = flipBit(envelope, "kdf", "salt", bit);
        } else if (bit < SALT_BITS + NONCE_BITS) {
            changed = flipBit(envelope, "cipher", "nonce", bit - SALT_BITS);
        } else {
            changed = flipBit(envelope, "cipher", "ciphertext", bit - SALT_BITS - NONCE_BITS);
        }
        assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(changed, CODE, PROJECT))
                .isInstanceOf(WrongCodeException.class);
    }

    /** Whatever text arrives, it is refused cleanly: never another exception, never a key derivation. */
    @Property(tries = 500)
    void anyTextIsRefusedCleanly(@ForAll @Size(max = 200) String text) {
        assertThatThrownBy(() -> ProjectKeyEnvelope.unwrap(text, CODE, PROJECT))
                .isInstanceOf(MalformedEnvelopeException.class);
    }

    @Provide
    Arbitrary<AccessKeyCode> codes() {
        return Arbitraries.strings().withChars(AccessKeyCode.ALPHABET.toCharArray())
                .ofLength(AccessKeyCode.LENGTH).map(AccessKeyCode::new);
    }

    @Provide
    Arbitrary<UUID> projects() {
        return Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new);
    }
}
