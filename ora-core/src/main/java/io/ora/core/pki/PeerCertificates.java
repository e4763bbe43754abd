package io.ora.core.pki;

import io.ora.core.identity.PeerId;
import java.math.BigInteger;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Reads Ora identities and serials out of peer certificates. */
public final class PeerCertificates {

    /** {@code GeneralName} tag of a URI in the subject alternative name extension. */
    private static final int SAN_URI = 6;

    private PeerCertificates() {
    }

    /**
     * The one Ora identity a certificate names in its subject alternative names. A certificate with none, or with
     * more than one, names nobody: refusing it is safer than guessing which one the holder meant.
     */
    public static Optional<PeerId> identity(X509Certificate certificate) {
        Collection<List<?>> names;
        try {
            names = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException malformed) {
            return Optional.empty();
        }
        if (names == null) {
            return Optional.empty();
        }
        List<PeerId> peers = names.stream()
                .filter(name -> name.size() == 2 && Integer.valueOf(SAN_URI).equals(name.get(0)))
                .map(name -> String.valueOf(name.get(1)))
                .filter(uri -> uri.startsWith(PeerId.URN_PREFIX))
                .map(PeerId::fromUrn)
                .flatMap(Optional::stream)
                .toList();
        return peers.size() == 1 ? Optional.of(peers.get(0)) : Optional.empty();
    }

    /** The serial in the form the deny-list uses: lower-case hex, no separators, no leading zeros. */
    public static String serial(X509Certificate certificate) {
        return certificate.getSerialNumber().toString(16);
    }

    /**
     * Normalises a serial typed by a person: hex with or without {@code :} separators and an optional {@code 0x}
     * prefix, as OpenSSL and browsers print them.
     *
     * @throws IllegalArgumentException when it is not hex
     */
    public static String normaliseSerial(String text) {
        String hex = text.trim().toLowerCase(Locale.ROOT).replace(":", "");
        if (hex.startsWith("0x")) {
            hex = hex.substring(2);
        }
        if (hex.isEmpty() || hex.length() > 64 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("a serial is hexadecimal, e.g. 4f:3a:... or 4f3a...");
        }
        return new BigInteger(hex, 16).toString(16);
    }
}
