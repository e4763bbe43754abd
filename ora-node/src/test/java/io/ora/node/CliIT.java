package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.ora.core.identity.PeerId;
import io.ora.core.pki.Pem;
import io.ora.core.pki.PeerCertificates;
import io.ora.node.cli.Cli;
import io.ora.persistence.Database;
import io.ora.persistence.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliIT {

    @TempDir
    Path home;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void pkiHubWritesCaCertificateAndKeyForTheHubIdentity() throws Exception {
        UUID hub = UUID.randomUUID();
        Path dir = home.resolve("hub");

        assertThat(run("pki", "hub", hub.toString(), "--out", dir.toString())).isZero();

        X509Certificate certificate = Pem.readCertificates(dir.resolve("client.crt")).get(0);
        assertThat(PeerCertificates.identity(certificate)).contains(new PeerId.Hub(hub));
        certificate.verify(Pem.readCertificates(dir.resolve("ca.crt")).get(0).getPublicKey());
        assertThat(Files.readString(dir.resolve("client.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(dir.resolve("ca.crt")).hasSameTextualContentAs(home.resolve("pki/ca.crt"));
    }

    @Test
    void pkiAppIssuesForTheAppIdentity() throws Exception {
        assertThat(run("pki", "app", "alice:phone-1", "--out", home.resolve("app").toString(), "--days", "2"))
                .isZero();

        X509Certificate certificate = Pem.readCertificates(home.resolve("app/client.crt")).get(0);
        assertThat(PeerCertificates.identity(certificate)).contains(new PeerId.App("alice:phone-1"));
    }

    @Test
    void revokeCertAcceptsASerialOrACertificateFile() throws Exception {
        run("pki", "hub", UUID.randomUUID().toString(), "--out", home.resolve("h").toString());
        X509Certificate certificate = Pem.readCertificates(home.resolve("h/client.crt")).get(0);

        assertThat(run("pki", "revoke-cert", home.resolve("h/client.crt").toString())).isZero();
        assertThat(run("pki", "revoke-cert", "AB:CD:01")).isZero();

        assertThat(Files.readAllLines(home.resolve("pki/revoked-serials")))
                .contains(PeerCertificates.serial(certificate), "abcd01");
    }

    @Test
    void grantAndRevokeChangeTheBindingsTable() throws Exception {
        UUID hub = UUID.randomUUID();
        String app = "app-" + UUID.randomUUID();

        assertThat(run("grant", app, hub.toString())).isZero();
        assertThat(bound(app, hub)).isTrue();
        assertThat(run("revoke", app, hub.toString())).isZero();
        assertThat(bound(app, hub)).isFalse();

        Path file = Files.writeString(home.resolve("bindings.txt"), "# app hub\n" + app + " " + hub + "\n\n");
        assertThat(run("grant", "--file", file.toString())).isZero();
        assertThat(bound(app, hub)).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("granted 1 binding(s)");
    }

    @Test
    void badInputIsAUsageErrorWithExitStatus2() {
        assertThat(run("pki", "hub", "not-a-uuid", "--out", home.toString())).isEqualTo(Cli.USAGE);
        assertThat(run("grant", "bad/app", UUID.randomUUID().toString())).isEqualTo(Cli.USAGE);
        assertThat(run("frobnicate")).isEqualTo(Cli.USAGE);
        assertThat(run("pki", "hub", UUID.randomUUID().toString())).isEqualTo(Cli.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage:");
    }

    private int run(String... args) {
        Database.Connection db = TestDatabase.connection();
        Config overrides = ConfigFactory.parseMap(Map.of("ora.home", home.toString(), "ora.db.url", db.url(),
                "ora.db.user", db.user(), "ora.db.password", db.password()));
        return new Cli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), overrides).run(List.of(args));
    }

    private static boolean bound(String app, UUID hub) throws Exception {
        try (var pool = TestDatabase.dataSource(); Connection c = pool.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT 1 FROM relay_binding WHERE app_id = ? AND hub_id = ?")) {
            s.setString(1, app);
            s.setObject(2, hub);
            try (ResultSet rows = s.executeQuery()) {
                return rows.next();
            }
        }
    }
}
