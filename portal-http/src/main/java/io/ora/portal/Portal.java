package io.ora.portal;

import com.typesafe.config.Config;
import io.ora.portal.http.ProblemHandling;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The portal role: the HTTP API installers and homeowners use. Every response that is not a success is an RFC 9457
 * problem ({@link ProblemHandling}); request bodies are bounded ({@code ora.portal.http.max-body-size}).
 */
public final class Portal implements AutoCloseable {

    private final ServerBinding binding;

    private Portal(ServerBinding binding) {
        this.binding = binding;
    }

    /** Binds the API on {@code ora.portal.http.host:port}. */
    public static Portal start(ActorSystem<?> system) throws InterruptedException, ExecutionException,
            TimeoutException {
        Config http = system.settings().config().getConfig("ora.portal.http");
        long maxBody = http.getMemorySize("max-body-size").toBytes();
        Route routes = ProblemHandling.wrap(Directives.withSizeLimit(maxBody, Portal::routes));
        CompletionStage<ServerBinding> bound = Http.get(system)
                .newServerAt(http.getString("host"), http.getInt("port"))
                .bind(routes);
        return new Portal(bound.toCompletableFuture().get(30, TimeUnit.SECONDS));
    }

    private static Route routes() {
        return Directives.pathPrefix("v1", () -> Directives.path("health", () -> Directives.get(() ->
                Directives.complete(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"status\":\"up\"}")))));
    }

    /** The port actually bound. */
    public int port() {
        return binding.localAddress().getPort();
    }

    /** Stops accepting, lets requests in flight finish within {@code timeout}. */
    public void close(Duration timeout) {
        binding.terminate(timeout).toCompletableFuture().join();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
