package io.ora.core.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.function.Predicate;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * Certificate signature checks. A relay verifies one client certificate per handshake, and the JDK's generic P-256
 * arithmetic made that check most of the cost of a connection; certificates signed with ECDSA P-256 / SHA-256 (all
 * of Ora's) are therefore checked with BouncyCastle's dedicated P-256 implementation, anything else with the JDK.
 */
public final class Signatures {

    private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";
    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters P256_DOMAIN = new ECDomainParameters(P256.getCurve(), P256.getG(),
            P256.getN(), P256.getH());

    private Signatures() {
    }

    /** Whether {@code certificate}'s signature was made with {@code issuer}'s key. */
    public static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
        return verifierFor(issuer).test(certificate);
    }

    /**
     * A reusable check "signed by {@code issuer}": the issuer's key is decoded once, which matters when the same CA
     * is checked on every handshake.
     */
    public static Predicate<X509Certificate> verifierFor(X509Certificate issuer) {
        ECPublicKeyParameters p256 = p256Key(issuer);
        return certificate -> {
            try {
                if (p256 != null && ECDSA_SHA256.equals(certificate.getSigAlgOID())) {
                    return verifyP256(certificate, p256);
                }
                certificate.verify(issuer.getPublicKey());
                return true;
            } catch (GeneralSecurityException | IllegalArgumentException | IllegalStateException malformed) {
                return false;
            }
        };
    }

    private static boolean verifyP256(X509Certificate certificate, ECPublicKeyParameters key)
            throws CertificateEncodingException, GeneralSecurityException {
        ASN1Sequence signature = ASN1Sequence.getInstance(certificate.getSignature());
        if (signature.size() != 2) {
            return false;
        }
        BigInteger r = ASN1Integer.getInstance(signature.getObjectAt(0)).getPositiveValue();
        BigInteger s = ASN1Integer.getInstance(signature.getObjectAt(1)).getPositiveValue();
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getTBSCertificate());
        ECDSASigner verifier = new ECDSASigner();
        verifier.init(false, key);
        return verifier.verifySignature(digest, r, s);
    }

    /** The issuer's key on the optimised P-256 curve, or null when it is not a P-256 key. */
    private static ECPublicKeyParameters p256Key(X509Certificate issuer) {
        try {
            AsymmetricKeyParameter key = PublicKeyFactory.createKey(issuer.getPublicKey().getEncoded());
            if (key instanceof ECPublicKeyParameters ec && ec.getParameters().getN().equals(P256.getN())
                    && ec.getParameters().getCurve().getField().getCharacteristic()
                            .equals(P256.getCurve().getField().getCharacteristic())) {
                return new ECPublicKeyParameters(P256_DOMAIN.getCurve().decodePoint(ec.getQ().getEncoded(false)),
                        P256_DOMAIN);
            }
            return null;
        } catch (IOException | IllegalArgumentException notEc) {
            return null;
        }
    }
}
