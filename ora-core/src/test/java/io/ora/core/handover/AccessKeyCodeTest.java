package io.ora.core.handover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class AccessKeyCodeTest {

    private static final SecureRandom RANDOM = new SecureRandom();

    @Property(tries = 300)
    void howeverItIsTypedACodeReadsBackTheSame(@ForAll("separators") String separator, @ForAll boolean lower) {
        AccessKeyCode code = AccessKeyCode.generate(RANDOM);
        String typed = code.display().replace("-", separator);
        typed = lower ? typed.toLowerCase(Locale.ROOT) : typed;
        assertThat(AccessKeyCode.parse(typed)).contains(code);
    }

    @Provide
    Arbitrary<String> separators() {
        return Arbitraries.of("-", " ", "", " - ", "  ");
    }

    @Example
    void lookalikeLettersReadAsTheDigitsTheyResemble() {
        AccessKeyCode code = AccessKeyCode.parse("01111-00000-11111-00000-11111").orElseThrow();
        assertThat(AccessKeyCode.parse("OIL1I-oOoO0-lLiI1-OOOOO-IIIII")).contains(code);
    }

    @Property(tries = 500)
    void anythingElseIsNotACode(@ForAll String typed) {
        AccessKeyCode.parse(typed).ifPresent(code -> assertThat(code.canonical()).hasSize(AccessKeyCode.LENGTH)
                .matches("[0-9A-HJKMNP-TV-Z]{25}"));
    }

    @Example
    void wrongLengthsAndLettersAreRefused() {
        assertThat(AccessKeyCode.parse("ABCDE-FGHJK-MNPQR-STVWX-YZ01")).isEmpty();
        assertThat(AccessKeyCode.parse("ABCDE-FGHJK-MNPQR-STVWX-YZ0123")).isEmpty();
        assertThat(AccessKeyCode.parse("ABCDE-FGHJK-MNPQR-STVWX-YZ01U")).as("U is not in the alphabet").isEmpty();
        assertThat(AccessKeyCode.parse(null)).isEmpty();
        assertThat(AccessKeyCode.parse("A".repeat(65))).isEmpty();
        assertThatThrownBy(() -> new AccessKeyCode("abcde")).isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void codesAreRandomAndNeverPrintTheirSecret() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            AccessKeyCode code = AccessKeyCode.generate(RANDOM);
            assertThat(seen.add(code.canonical())).isTrue();
            assertThat(code.toString()).contains(code.handle()).doesNotContain(code.canonical().substring(5));
            assertThat(code.display()).matches("([0-9A-HJKMNP-TV-Z]{5}-){4}[0-9A-HJKMNP-TV-Z]{5}");
        }
    }
}
