package io.ora.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Writers racing on the same version: exactly one wins, the others get 412, and no write is lost silently. */
class ConcurrencyIT {

    @RegisterExtension
    static final TestPortal PORTAL = new TestPortal();

    static final int RACERS = 8;

    List<Integer> race(IntFunction<Integer> write) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        try {
            List<CompletableFuture<Integer>> racers = IntStream.range(0, RACERS)
                    .mapToObj(i -> CompletableFuture.supplyAsync(() -> {
                        try {
                            start.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                        return write.apply(i);
                    }, pool)).toList();
            start.countDown();
            return racers.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentProjectUpdatesFromOneVersionHaveExactlyOneWinner() throws Exception {
        ApiClient api = PORTAL.client();
        Installers.Installer installer = Installers.licensed(PORTAL);
        String project = api.post("/v1/projects", installer.token(), Map.of("templateId",
                installer.templateId().toString())).header("Location").orElseThrow();

        List<Integer> statuses = race(i -> api.patch(project, installer.token(), Map.of("notes", "racer " + i),
                Map.of("If-Match", "\"1\"")).status());

        assertThat(statuses).containsOnly(200, 412);
        assertThat(statuses.stream().filter(status -> status == 200)).hasSize(1);
        assertThat(api.get(project, installer.token()).json().get("version").asInt()).isEqualTo(2);
    }

    @Test
    void concurrentFirstPairingPlansHaveExactlyOneWinner() throws Exception {
        ApiClient api = PORTAL.client();
        Installers.Installer installer = Installers.licensed(PORTAL);
        String project = api.post("/v1/projects", installer.token(), Map.of("templateId",
                installer.templateId().toString())).header("Location").orElseThrow();

        List<Integer> statuses = race(i -> api.put(project + "/pairing-plan", installer.token(), Map.of(
                "rooms", List.of(Map.of("id", "room-" + i, "name", "Room")), "devices", List.of()),
                Map.of("If-None-Match", "*")).status());

        assertThat(statuses.stream().filter(status -> status == 201)).hasSize(1);
        assertThat(statuses).containsOnly(201, 412);
    }

    @Test
    void concurrentRegistrationsOfOneHubHaveExactlyOneWinner() throws Exception {
        ApiClient api = PORTAL.client();
        Installers.Installer installer = Installers.licensed(PORTAL);
        List<String> projects = IntStream.range(0, RACERS).mapToObj(i -> api.post("/v1/projects",
                installer.token(), Map.of("templateId", installer.templateId().toString())).header("Location")
                .orElseThrow()).toList();
        String hub = UUID.randomUUID().toString();

        List<Integer> statuses = race(i -> api.post(projects.get(i) + "/hubs", installer.token(), Map.of(
                "hubId", hub, "certificateFingerprint", "0f".repeat(32))).status());

        assertThat(statuses.stream().filter(status -> status == 201)).hasSize(1);
        assertThat(statuses).containsOnly(201, 409);
    }
}
