package io.ora.backup.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class BackupIdTest {

    private static final Base64.Encoder WIRE = Base64.getUrlEncoder().withoutPadding();

    @Property
    void aLocatorHasOneSpellingAndItsIdIsItsHash(@ForAll @Size(32) byte[] raw) {
        String locator = WIRE.encodeToString(raw);
        assertThat(BackupId.ofLocator(locator)).contains(BackupId.ofHash(BackupId.Secrets.sha256(raw)));
        assertThat(BackupId.ofLocator(locator).orElseThrow().hex()).hasSize(64).doesNotContain(locator);
        assertThat(BackupId.ofLocator(locator).orElseThrow().toString()).doesNotContain(locator)
                .doesNotContain(BackupId.ofLocator(locator).orElseThrow().hex());
    }

    @Property
    void anythingElseIsNotALocatorNorACredential(@ForAll("notWireValues") String text) {
        assertThat(BackupId.ofLocator(text)).isEmpty();
        assertThat(Credential.parse(text)).isEmpty();
    }

    @Provide
    Arbitrary<String> notWireValues() {
        Arbitrary<String> wrongLength = Arbitraries.strings().withChars("A-Za-z0-9_-").ofMinLength(0).ofMaxLength(90)
                .filter(s -> s.length() != 43);
        Arbitrary<String> wrongCharacter = Arbitraries.strings().withChars("A-Za-z0-9_-").ofLength(42)
                .flatMap(s -> Arbitraries.of('+', '/', '=', ' ', '.', 'é').map(c -> s + c));
        // The 43rd character carries two bits that must be zero: 'A', 'E', 'I', … are the only endings.
        Arbitrary<String> strayBits = Arbitraries.bytes().array(byte[].class).ofSize(32)
                .map(WIRE::encodeToString).flatMap(s -> Arbitraries.of('B', 'C', 'D', 'F').map(c -> s.substring(0,
                        42) + c));
        return Arbitraries.oneOf(wrongLength, wrongCharacter, strayBits);
    }

    @Property
    void aCredentialMatchesOnlyItsOwnVerifier(@ForAll @Size(32) byte[] a, @ForAll @Size(32) byte[] b) {
        Credential first = Credential.parse(WIRE.encodeToString(a)).orElseThrow();
        Credential second = Credential.parse(WIRE.encodeToString(b)).orElseThrow();
        assertThat(first.matches(first.verifier())).isTrue();
        assertThat(first.matches(second.verifier())).isEqualTo(java.util.Arrays.equals(a, b));
    }

    @Test
    void valuesNeverPrintThemselves() {
        byte[] raw = new byte[32];
        raw[0] = 7;
        String text = WIRE.encodeToString(raw);
        Credential credential = Credential.parse(text).orElseThrow();
        assertThat(credential.toString()).doesNotContain(text);
        assertThat(credential.verifier().toString()).isEqualTo("Verifier[…]");
    }
}
