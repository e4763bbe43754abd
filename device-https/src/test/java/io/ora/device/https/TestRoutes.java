package io.ora.device.https;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * A role's routes for the listener's tests, under {@code /<name>/v1/}: {@code POST echo} answers the verified peer,
 * its serial and how many body bytes arrived (its body limit is {@code maxBytes}); {@code POST silent} never
 * answers; {@code GET fails} throws; {@code POST unbounded} reads its body without a limit of its own. Every peer
 * that reached the code of a route is recorded, so a test can tell a refusal by the listener from one by a route.
 */
final class TestRoutes implements DeviceRoutes {

    private final String name;
    private final long maxBytes;
    private final List<DevicePeer> reached = new CopyOnWriteArrayList<>();

    TestRoutes(String name, long maxBytes) {
        this.name = name;
        this.maxBytes = maxBytes;
    }

    /** The path of one of these routes, e.g. {@code path("echo")}. */
    String path(String route) {
        return "/" + name + "/v1/" + route;
    }

    /** The peers whose requests reached a route's own code, in order. */
    List<DevicePeer> reached() {
        return List.copyOf(reached);
    }

    @Override
    public Route route(DeviceRequests requests) {
        return Directives.pathPrefix(PathMatchers.segment(name).slash("v1"), () -> Directives.concat(
                Directives.path("echo", () -> Directives.post(() -> requests.peer(peer ->
                        requests.body(maxBytes, body -> {
                            reached.add(peer);
                            return Directives.complete(HttpResponse.create().withEntity(HttpEntities.create(
                                    ContentTypes.APPLICATION_JSON, "{\"peer\":\"" + peer.id().kind() + ":"
                                            + peer.id().topicSegment() + "\",\"serial\":\"" + peer.serial()
                                            + "\",\"bytes\":" + body.size() + "}")));
                        })))),
                Directives.path("silent", () -> Directives.post(() -> requests.peer(peer -> {
                    reached.add(peer);
                    return Directives.onSuccess(new CompletableFuture<HttpResponse>(), Directives::complete);
                }))),
                Directives.path("fails", () -> Directives.get(() -> requests.peer(peer -> {
                    reached.add(peer);
                    throw new IllegalStateException("a route failed");
                }))),
                Directives.path("unbounded", () -> Directives.post(() -> Directives.extractRequestEntity(entity ->
                        Directives.extractMaterializer(materializer -> Directives.onSuccess(
                                entity.toStrict(10_000, materializer), body -> Directives.complete(
                                        "read " + body.getData().size()))))))));
    }

    @Override
    public long maxBodyBytes() {
        return maxBytes;
    }
}
