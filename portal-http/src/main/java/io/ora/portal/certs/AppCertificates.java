package io.ora.portal.certs;

import io.ora.core.identity.PeerId;
import io.ora.core.pki.CertificateAuthority;
import io.ora.core.pki.Pem;
import io.ora.portal.refusal.Refused;
import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Short-lived relay client certificates for app installs (DESIGN §3): an authenticated user sends a PKCS#10 request
 * made on their device; the portal checks that the request is signed by the key it carries (so the sender holds
 * the private key, which never leaves the device), ignores whatever subject it names, and issues a certificate for
 * {@code urn:ora:app:<user-id>:<install-id>} only. The identity therefore always comes from the portal's login, never
 * from the request.
 */
public final class AppCertificates {

    /** What the portal issues. */
    public record Issued(String identity, String certificate, String caCertificate, String notAfter) {
    }

    private final CertificateAuthority authority;
    private final Duration validity;

    public AppCertificates(CertificateAuthority authority, Duration validity) {
        this.authority = authority;
        this.validity = validity;
    }

    public Issued issue(UUID userId, String installId, String csrPem) {
        PeerId.App app;
        try {
            app = new PeerId.App(userId + ":" + installId);
        } catch (IllegalArgumentException badId) {
            throw Refused.invalid("installId must be 1 to 64 of A-Z a-z 0-9 . _ - (starting with a letter "
                    + "or digit)");
        }
        PublicKey key = verifiedKey(csrPem);
        X509Certificate certificate = authority.issuePeer(app, key, validity);
        return new Issued(app.urn(), Pem.certificates(List.of(certificate)),
                Pem.certificates(List.of(authority.certificate())), certificate.getNotAfter().toInstant().toString());
    }

    /** The request's public key, if the request is well-formed, self-signed with it, and the key is one we accept. */
    private static PublicKey verifiedKey(String csrPem) {
        JcaPKCS10CertificationRequest request;
        try (PEMParser parser = new PEMParser(new StringReader(csrPem))) {
            Object parsed = parser.readObject();
            if (!(parsed instanceof PKCS10CertificationRequest pkcs10)) {
                throw Refused.invalid("csr must be one PEM \"CERTIFICATE REQUEST\"");
            }
            request = new JcaPKCS10CertificationRequest(pkcs10);
        } catch (IOException | IllegalArgumentException | ClassCastException malformed) {
            throw Refused.invalid("csr is not a readable PKCS#10 request");
        }
        try {
            PublicKey key = request.getPublicKey();
            ContentVerifierProvider verifier = new JcaContentVerifierProviderBuilder().build(key);
            if (!request.isSignatureValid(verifier)) {
                throw Refused.invalid("the csr's signature does not verify with its own key");
            }
            acceptable(key);
            return key;
        } catch (OperatorCreationException | PKCSException | GeneralSecurityException unusable) {
            throw Refused.invalid("the csr's key or signature cannot be used");
        }
    }

    /** EC P-256 (what the apps and hubs use) or RSA of 2048 bits or more. */
    private static void acceptable(PublicKey key) {
        if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() == 256) {
            return;
        }
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() >= 2048) {
            return;
        }
        throw Refused.invalid("the csr's key must be EC P-256 or RSA of at least 2048 bits");
    }
}
