package io.ora.portal.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.ora.persistence.CapturedLogs;
import io.ora.portal.api.ApiException;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.junit.jupiter.api.Test;
import scala.Option;

/** {@link ProblemHandling#toResponse}, the one mapping from a failure to what the caller is told. */
class ProblemMappingTest {

    private static final String MARKER = "marker5c1e";

    static String body(HttpResponse response) {
        return ((HttpEntity.Strict) response.entity()).getData().utf8String();
    }

    @Test
    void aRefusalIsAnsweredAsDecidedWithItsHeadersWhateverWrapsIt() {
        ApiException refused = new ApiException(Problem.of(StatusCodes.TOO_MANY_REQUESTS, "slow down"),
                List.of(RawHeader.create("Retry-After", "7")));
        HttpResponse response = ProblemHandling.toResponse(new CompletionException(refused));
        assertThat(response.status()).isEqualTo(StatusCodes.TOO_MANY_REQUESTS);
        assertThat(response.getHeader("Retry-After").orElseThrow().value()).isEqualTo("7");
        assertThat(response.entity().getContentType()).isEqualTo(Problem.CONTENT_TYPE);
        assertThat(body(response)).contains("\"status\":429").contains("slow down");
    }

    @Test
    void aBodyOverItsLimitIs413() {
        HttpResponse response = ProblemHandling.toResponse(new CompletionException(
                new EntityStreamSizeException(16, Option.empty())));
        assertThat(response.status()).isEqualTo(StatusCodes.PAYLOAD_TOO_LARGE);
        assertThat(response.entity().getContentType()).isEqualTo(Problem.CONTENT_TYPE);
    }

    @Test
    void anythingElseIsA500ThatQuotesNothingAndIsLoggedByTypeOnly() {
        try (CapturedLogs logs = new CapturedLogs()) {
            HttpResponse response = ProblemHandling.toResponse(new IllegalStateException(MARKER));
            assertThat(response.status()).isEqualTo(StatusCodes.INTERNAL_SERVER_ERROR);
            assertThat(body(response)).doesNotContain(MARKER);
            assertThat(logs.texts(Level.ERROR)).anyMatch(line -> line.contains("IllegalStateException"))
                    .noneMatch(line -> line.contains(MARKER));
        }
    }
}
