package io.ora.core.pki;

import io.ora.core.identity.PeerId;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Ora's device CA: it signs the certificates that name relay peers ({@code urn:ora:...} in the subject alternative
 * name) and the relay's own server certificate.
 *
 * <p>Keys are ECDSA P-256: small certificates and cheap handshakes, which matters to a hub on a microcontroller and to
 * a relay taking a reconnect storm. Serial numbers are 127 random bits, so a serial alone identifies a certificate on
 * the deny-list. In production the CA key lives in a secret store; here it is only ever the development CA.
 */
public final class CertificateAuthority {

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    /** A CA from existing material. */
    public CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** Creates a new self-signed CA valid for {@code validity} from now. */
    public static CertificateAuthority create(String commonName, Duration validity) {
        KeyPair pair = newKeyPair();
        X500Name name = name(commonName);
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), name, pair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            utils.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(sign(builder, pair.getPrivate()), pair.getPrivate());
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create CA certificate", e);
        }
    }

    /** A fresh ECDSA P-256 key pair. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is not available in this JVM", e);
        }
    }

    /** The CA certificate, which relays and peers trust. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The CA private key: only for storing it back where it came from. */
    public PrivateKey privateKey() {
        return key;
    }

    /** Issues a client certificate naming {@code peer}, valid from a few minutes ago for {@code validity}. */
    public X509Certificate issuePeer(PeerId peer, PublicKey publicKey, Duration validity) {
        return issuePeer(peer, publicKey, Instant.now().minus(Duration.ofMinutes(5)), Instant.now().plus(validity));
    }

    /** Issues a client certificate naming {@code peer} for an explicit validity window (tests use past windows). */
    public X509Certificate issuePeer(PeerId peer, PublicKey publicKey, Instant notBefore, Instant notAfter) {
        GeneralNames names = new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, peer.urn()));
        return issue(name(peer.urn()), publicKey, notBefore, notAfter, names, KeyPurposeId.id_kp_clientAuth);
    }

    /** Issues the relay's TLS server certificate for the given DNS names and IP addresses. */
    public X509Certificate issueServer(List<String> dnsNames, List<String> ipAddresses, PublicKey publicKey,
                                       Duration validity) {
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
        ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        String commonName = dnsNames.isEmpty() ? "ora-relay" : dnsNames.get(0);
        Instant now = Instant.now();
        return issue(name(commonName), publicKey, now.minus(Duration.ofMinutes(5)), now.plus(validity),
                new GeneralNames(names.toArray(GeneralName[]::new)), KeyPurposeId.id_kp_serverAuth);
    }

    private X509Certificate issue(X500Name subject, PublicKey publicKey, Instant notBefore, Instant notAfter,
                                  GeneralNames altNames, KeyPurposeId purpose) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(notBefore), Date.from(notAfter), subject, publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectAlternativeName, false, altNames)
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(publicKey));
            return sign(builder, key);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue certificate", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
            throws GeneralSecurityException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot create signer", e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Ora").addRDN(BCStyle.CN, commonName).build();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).setBit(126);
    }
}
