package io.ora.load.identities;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MosquittoConfigTest {

    private static final UUID HUB_A = UUID.fromString("00000000-0000-4000-8000-00000000000a");
    private static final UUID HUB_B = UUID.fromString("00000000-0000-4000-8000-00000000000b");
    private static final UUID HUB_C = UUID.fromString("00000000-0000-4000-8000-00000000000c");

    @Test
    void aHubReadsItsInboxAndWritesOnlyToItsAppsInbox() {
        String acl = MosquittoConfig.acl(Bindings.roundRobin(List.of(HUB_A, HUB_B, HUB_C), List.of("app-1", "app-2")));

        assertThat(block(acl, "urn:ora:hub:" + HUB_A)).containsExactly(
                "topic read ora/v1/hub/" + HUB_A + "/in",
                "topic read ora/v1/hub/" + HUB_A + "/in/#",
                "topic write ora/v1/app/app-1/in",
                "topic write ora/v1/app/app-1/in/#");
        assertThat(block(acl, "urn:ora:hub:" + HUB_B)).contains("topic write ora/v1/app/app-2/in")
                .doesNotContain("topic write ora/v1/app/app-1/in");
    }

    @Test
    void anAppReadsItsInboxAndWritesToEachBoundHub() {
        String acl = MosquittoConfig.acl(Bindings.roundRobin(List.of(HUB_A, HUB_B, HUB_C), List.of("app-1", "app-2")));

        assertThat(block(acl, "urn:ora:app:app-1")).containsExactly(
                "topic read ora/v1/app/app-1/in",
                "topic read ora/v1/app/app-1/in/#",
                "topic write ora/v1/hub/" + HUB_A + "/in",
                "topic write ora/v1/hub/" + HUB_A + "/in/#",
                "topic write ora/v1/hub/" + HUB_C + "/in",
                "topic write ora/v1/hub/" + HUB_C + "/in/#");
        assertThat(block(acl, "urn:ora:app:app-2")).doesNotContain("topic write ora/v1/hub/" + HUB_A + "/in");
    }

    @Test
    void noPeerGetsWildcardOrReadWriteRights() {
        String acl = MosquittoConfig.acl(Bindings.roundRobin(List.of(HUB_A, HUB_B), List.of("app-1")));

        assertThat(acl.lines().filter(line -> line.startsWith("topic ")))
                .allSatisfy(line -> assertThat(line).matches("topic (read|write) ora/v1/(hub|app)/[^/+#]+/in(/#)?"));
        assertThat(acl.lines().filter(line -> line.startsWith("user "))).hasSize(3);
    }

    @Test
    void confIsTls13OnlyWithClientCertificatesAsIdentities() {
        String conf = MosquittoConfig.conf(new MosquittoConfig.Listener("127.0.0.1", 18883, Optional.of("ora")),
                Path.of("/pki/ca.crt"), Path.of("/pki/server.crt"), Path.of("/pki/server.key"),
                Path.of("/certs/mosquitto.acl"));

        List<String> settings = conf.lines().filter(line -> !line.startsWith("#") && !line.isBlank()).toList();
        assertThat(settings).contains(
                "listener 18883 127.0.0.1",
                "tls_version tlsv1.3",
                "require_certificate true",
                "use_identity_as_username true",
                "cafile /pki/ca.crt",
                "certfile /pki/server.crt",
                "keyfile /pki/server.key",
                "acl_file /certs/mosquitto.acl",
                "allow_anonymous false",
                "persistence false",
                "max_connections -1",
                "user ora");
        // Listener options must follow their listener line, or Mosquitto applies them to the default listener.
        int listener = settings.indexOf("listener 18883 127.0.0.1");
        assertThat(settings.indexOf("tls_version tlsv1.3")).isGreaterThan(listener);
        assertThat(settings.indexOf("max_connections -1")).isGreaterThan(listener);
        assertThat(settings.indexOf("require_certificate true")).isGreaterThan(listener);
    }

    @Test
    void userLineIsLeftOutWhenNotWanted() {
        String conf = MosquittoConfig.conf(new MosquittoConfig.Listener("127.0.0.1", 18883, Optional.empty()),
                Path.of("/a"), Path.of("/b"), Path.of("/c"), Path.of("/d"));

        assertThat(conf.lines()).noneMatch(line -> line.startsWith("user "));
    }

    @Test
    void refusesValuesMosquittoWouldSplit() {
        assertThatThrownBy(() -> MosquittoConfig.conf(new MosquittoConfig.Listener("127.0.0.1", 1, Optional.empty()),
                Path.of("/my certs/ca.crt"), Path.of("/b"), Path.of("/c"), Path.of("/d")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MosquittoConfig.Listener("127.0.0.1", 0, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The topic lines under {@code user <name>}, up to the next blank line. */
    private static List<String> block(String acl, String user) {
        List<String> lines = acl.lines().toList();
        int start = lines.indexOf("user " + user);
        assertThat(start).as("user %s in ACL", user).isNotNegative();
        int end = start + 1;
        while (end < lines.size() && !lines.get(end).isBlank()) {
            end++;
        }
        return lines.subList(start + 1, end);
    }
}
