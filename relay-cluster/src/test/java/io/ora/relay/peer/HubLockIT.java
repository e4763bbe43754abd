package io.ora.relay.peer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ora.relay.HubLockClient;
import io.ora.relay.TestRelay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handover lock is the durable part of a hub entity: it survives passivation and a full restart. */
class HubLockIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void aLockSurvivesTheNodeRestartingAndAnUnlockToo() throws Exception {
        UUID hub = UUID.randomUUID();
        try (TestRelay first = TestRelay.start(dir)) {
            PeerRouter router = first.relay().router();
            assertThat(router.status(hub, TIMEOUT).toCompletableFuture().get().locked()).isFalse();

            assertThat(HubLockClient.of(first.system()).lock(hub, "project-7").isSuccess()).isTrue();

            assertThat(router.status(hub, TIMEOUT).toCompletableFuture().get())
                    .isEqualTo(new HubEntity.Status(true, "project-7", false));
        }
        try (TestRelay restarted = TestRelay.start(dir)) {
            PeerRouter router = restarted.relay().router();
            assertThat(router.status(hub, TIMEOUT).toCompletableFuture().get().locked()).isTrue();

            router.unlock(hub, TIMEOUT).toCompletableFuture().get();
        }
        try (TestRelay again = TestRelay.start(dir)) {
            assertThat(again.relay().router().status(hub, TIMEOUT).toCompletableFuture().get())
                    .isEqualTo(new HubEntity.Status(false, "", false));
        }
    }

    @Test
    void aLockSurvivesPassivation() throws Exception {
        UUID hub = UUID.randomUUID();
        try (TestRelay relay = TestRelay.start(dir, Map.of("ora.relay.sessions.idle-passivation", "200ms"), null)) {
            PeerRouter router = relay.relay().router();
            assertThat(HubLockClient.of(relay.system()).lock(hub, "project-8").isSuccess()).isTrue();
            long started = relay.metric("ora_relay_entities_started_total", "type", "hub");

            // After passivation the next message starts a new incarnation, which recovers the lock from the journal.
            Awaitility.await().until(() -> relay.metric("ora_relay_entities_stopped_total", "type",
                    "hub") >= 1);
            assertThat(router.status(hub, TIMEOUT).toCompletableFuture().get().locked()).isTrue();
            assertThat(relay.metric("ora_relay_entities_started_total", "type", "hub")).isGreaterThan(started);
        }
    }
}
