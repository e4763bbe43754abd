package io.ora.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.typesafe.config.ConfigFactory;
import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.identity.PeerId;
import io.ora.core.pki.DevPki;
import io.ora.core.topic.Topics;
import io.ora.hubkit.PeerCredentials;
import io.ora.hubkit.ota.OtaAnswer;
import io.ora.hubkit.ota.OtaClient;
import io.ora.node.cli.Cli;
import io.ora.persistence.Database;
import io.ora.persistence.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub's OTA check against a whole node over real MQTT, with hub-kit's {@link OtaClient} and {@code hub ota}: the
 * relay answers {@code none} when nothing is offered, and an "offer" an app with access to the hub's inbox puts on
 * the answer topic is ignored because it is not from {@code urn:ora:relay}; and, with a release rolled out, {@code hub
 * ota} is offered it, downloads, verifies and installs it, and its reports show in the rollout's progress.
 */
class OtaCheckStoryIT {

    @TempDir
    Path home;

    @TempDir
    Path work;

    private StoryNode story;

    @AfterEach
    void stop() {
        if (story != null) {
            story.close();
        }
    }

    @Test
    void hubOtaChecksAndIsToldNothingIsOffered() throws Exception {
        story = StoryNode.start(home);
        UUID hubId = UUID.randomUUID();
        Path hubDir = work.resolve("hub");
        DevPki.open(home.resolve("pki")).issuePeerFiles(new PeerId.Hub(hubId), Duration.ofDays(1), hubDir);
        Path rootKey = work.resolve("root.pub");
        FirmwareKeys.writePublic(FirmwareKeys.generate().getPublic(), rootKey);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = new Cli(print(out), print(err), ConfigFactory.empty()).run(List.of("hub", "ota",
                "--cert-dir", hubDir.toString(), "--model", "ora-hub-1", "--version", "1.2.0", "--root-key",
                rootKey.toString(), "--out", work.resolve("firmware").toString(), "--port",
                String.valueOf(story.mqttPort())));

        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "connected to 127.0.0.1:" + story.mqttPort() + " as urn:ora:hub:" + hubId,
                "check: ora-hub-1 1.2.0",
                "answer: none",
                "outcome: none: nothing is offered to this hub now");
        assertThat(work.resolve("firmware")).doesNotExist();
    }

    @Test
    void hubOtaIsOfferedTheRolledOutReleaseDownloadsVerifiesInstallsAndReports() throws Exception {
        OtaFixture ota = new OtaFixture(work);
        story = StoryNode.start(home, ota.settings(TestPorts.free()));
        String operator = story.token("op-" + UUID.randomUUID(), "operator", 0);
        byte[] image = OtaFixture.image(2 * 1024 * 1024 + 5);
        String rollout = ota.shipToEveryone(story.portal(), operator, image, "1.4.0");
        UUID hubId = UUID.randomUUID();
        Path hubDir = work.resolve("hub");
        DevPki.open(home.resolve("pki")).issuePeerFiles(new PeerId.Hub(hubId), Duration.ofDays(1), hubDir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> command = List.of("hub", "ota", "--cert-dir", hubDir.toString(), "--model", OtaFixture.MODEL,
                "--version", "1.2.0", "--root-key", ota.rootPublicKey.toString(), "--out",
                work.resolve("firmware").toString(), "--port", String.valueOf(story.mqttPort()));

        int status = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            out.reset();
            return new Cli(print(out), print(err), ConfigFactory.empty()).run(command);
        }, code -> out.toString(StandardCharsets.UTF_8).contains("answer: offer"));

        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).as(printed + err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(printed).contains("answer: offer").contains("installed");
        try (var files = java.nio.file.Files.list(work.resolve("firmware"))) {
            assertThat(files.filter(file -> file.getFileName().toString().endsWith(".bin")).toList())
                    .singleElement().satisfies(file -> assertThat(java.nio.file.Files.readAllBytes(file))
                            .isEqualTo(image));
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(OtaFixture.json(story.portal(), operator, "GET", "/v1/ota/rollouts/" + rollout, null)
                        .json().get("stages").get(0).get("reports").get("installed").asLong()).isEqualTo(1));
    }

    @Test
    void anAnswerFromAnyoneButTheRelayIsIgnored() throws Exception {
        story = StoryNode.start(home);
        UUID hubId = UUID.randomUUID();
        String appId = "app-" + UUID.randomUUID();
        grant(appId, hubId);
        PeerCredentials hub = NodeTestKit.credentials(home, new PeerId.Hub(hubId));
        Mqtt5BlockingClient app = story.connect(NodeTestKit.credentials(home, new PeerId.App(appId)));
        String forged = "{\"ota\":\"offer\",\"rollout\":\"" + UUID.randomUUID() + "\",\"release\":{},\"roots\":[]}";
        List<String> steps = Collections.synchronizedList(new ArrayList<>());
        PublicKey rootKey = FirmwareKeys.generate().getPublic();
        OtaClient.Settings settings = OtaClient.Settings.of("ora-hub-1", new FirmwareVersion(1, 2, 0), rootKey,
                work.resolve("firmware")).relay("127.0.0.1", story.mqttPort()).steps(line -> {
                    steps.add(line);
                    if (line.startsWith("check:")) {
                        // Subscribed by now, and the check not yet sent: the forgery arrives first (its PUBACK
                        // comes once the hub has it).
                        app.publishWith().topic(Topics.otaStatus(new PeerId.Hub(hubId))).qos(MqttQos.AT_LEAST_ONCE)
                                .payload(forged.getBytes(StandardCharsets.UTF_8)).send();
                    }
                });

        OtaClient.Result result = new OtaClient(hub, settings).run();

        assertThat(result.answer()).isEqualTo(new OtaAnswer.None(Optional.empty()));
        assertThat(result.failure()).isEmpty();
        assertThat(steps).containsSubsequence("check: ora-hub-1 1.2.0",
                "ignored a message on " + Topics.otaStatus(new PeerId.Hub(hubId)) + " not sent by urn:ora:relay",
                "answer: none");
    }

    private void grant(String appId, UUID hubId) {
        Database.Connection db = TestDatabase.connection();
        ByteArrayOutputStream ignored = new ByteArrayOutputStream();
        assertThat(new Cli(print(ignored), print(ignored), ConfigFactory.parseMap(Map.of("ora.home", home.toString(),
                "ora.db.url", db.url(), "ora.db.user", db.user(), "ora.db.password", db.password())))
                .run(List.of("grant", appId, hubId.toString()))).isZero();
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
