package io.ora.load.identities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ora.core.identity.PeerId;
import io.ora.core.pki.Pem;
import io.ora.hubkit.PeerCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.UUID;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issues a small population with a throw-away CA under a JUnit temporary directory. */
class IdentityIssuerTest {

    @TempDir
    Path temp;

    @Test
    void writesOneCredentialsDirectoryPerIdentityPlusBindingsAndBrokerConfig()
            throws IOException, InterruptedException {
        IdentityIssuer.Result result = issue(temp.resolve("out"), 5, 2);

        CertificateSet set = CertificateSet.open(temp.resolve("out"));
        assertThat(set.bindings()).isEqualTo(result.set().bindings());
        assertThat(set.bindings().apps()).containsExactly("app-0001", "app-0002");
        assertThat(set.bindings().hubs()).hasSize(5);
        for (UUID hub : set.bindings().hubs()) {
            PeerCredentials credentials = PeerCredentials.load(set.hubDir(hub));
            assertThat(credentials.identity()).isEqualTo(new PeerId.Hub(hub));
        }
        assertThat(PeerCredentials.load(set.appDir("app-0002")).identity()).isEqualTo(new PeerId.App("app-0002"));
        assertThat(Files.readString(result.conf())).contains("acl_file " + result.acl(), "listener 18883 127.0.0.1");
        assertThat(Files.readString(result.acl())).contains("user urn:ora:app:app-0001");
    }

    @Test
    void certificateCommonNameIsTheIdentityUrnMosquittoUsesAsUsername() throws IOException, InterruptedException {
        IdentityIssuer.Result result = issue(temp.resolve("out"), 1, 1);
        UUID hub = result.set().bindings().hubs().get(0);

        X509Certificate certificate = Pem.readCertificates(result.set().hubDir(hub).resolve("client.crt")).get(0);

        assertThat(certificate.getSubjectX500Principal().getName(X500Principal.RFC2253))
                .contains("CN=urn:ora:hub:" + hub);
    }

    @Test
    void refusesToMixWithAnExistingPopulation() throws IOException, InterruptedException {
        issue(temp.resolve("out"), 1, 1);

        assertThatThrownBy(() -> issue(temp.resolve("out"), 1, 1))
                .isInstanceOf(IOException.class).hasMessageContaining("already holds identities");
    }

    private IdentityIssuer.Result issue(Path out, int hubs, int apps) throws IOException, InterruptedException {
        return IdentityIssuer.issue(new IdentityIssuer.Request(temp.resolve("ca"), hubs, apps, out,
                new MosquittoConfig.Listener("127.0.0.1", 18_883, Optional.empty()), 2));
    }
}
