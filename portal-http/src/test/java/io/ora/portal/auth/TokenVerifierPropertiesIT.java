package io.ora.portal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import io.ora.portal.auth.InvalidTokenException.Reason;
import io.ora.portal.dev.DevIssuer.TokenRequest;
import io.ora.portal.dev.DevIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Whatever arrives as a bearer token either is a token the issuer signed, or is refused cleanly. */
class TokenVerifierPropertiesIT {

    private static Path keys;
    private static IssuerServer server;
    private static DevIssuer issuer;
    private static TokenVerifier verifier;
    private static String valid;

    @BeforeContainer
    static void start() throws Exception {
        keys = Files.createTempDirectory("token-verifier-properties");
        server = IssuerServer.start("token-verifier-properties");
        issuer = server.issuer(keys, "dev-oidc");
        verifier = TokenVerifier.create(IssuerServer.settings(), issuer.issuerUrl());
        valid = issuer.mint(new TokenRequest("grace", Set.of(Role.ELECTRICIAN), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty()));
        assertThat(verifier.verify(valid).subject()).isEqualTo("grace");
    }

    @AfterContainer
    static void stop() throws Exception {
        server.close();
        try (Stream<Path> files = Files.walk(keys)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Property
    void arbitraryStringsAreRefused(@ForAll @StringLength(max = 10_000) String anything) {
        assertThatThrownBy(() -> verifier.verify(anything)).isInstanceOf(InvalidTokenException.class);
    }

    @Property
    void arbitraryContentUnderTheIssuersHeaderIsRefused(@ForAll String payload, @ForAll byte[] signature) {
        String header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(issuer.signingKey().getKeyID()).build()
                .toBase64URL().toString();
        String token = header + "." + Base64URL.encode(payload) + "." + Base64URL.encode(signature);

        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(InvalidTokenException.class);
    }

    @Property
    void anyCharacterChangedInASignedTokenIsRefused(@ForAll @IntRange(max = 100_000) int position,
                                                    @ForAll("tokenCharacters") char replacement) {
        int at = position % valid.length();
        String tampered = valid.substring(0, at) + replacement + valid.substring(at + 1);
        // The signature covers the first two segments as text; in the third only its decoded bytes count.
        Assume.that(!sameSignedToken(valid, tampered));

        assertThatThrownBy(() -> verifier.verify(tampered)).isInstanceOfSatisfying(InvalidTokenException.class,
                refused -> assertThat(refused.reason()).isIn(Reason.MALFORMED, Reason.BAD_SIGNATURE,
                        Reason.ALGORITHM_NOT_ALLOWED, Reason.UNKNOWN_KEY));
    }

    @Provide
    Arbitrary<Character> tokenCharacters() {
        return Arbitraries.oneOf(Arbitraries.chars().alpha().numeric().with('-', '_', '.', '=', '+', '/'),
                Arbitraries.chars());
    }

    private static boolean sameSignedToken(String original, String tampered) {
        int cut = original.lastIndexOf('.');
        return tampered.lastIndexOf('.') == cut && tampered.startsWith(original.substring(0, cut + 1))
                && Arrays.equals(new Base64URL(original.substring(cut + 1)).decode(),
                        new Base64URL(tampered.substring(cut + 1)).decode());
    }
}
