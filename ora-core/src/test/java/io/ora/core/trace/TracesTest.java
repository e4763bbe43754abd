package io.ora.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import kamon.Kamon;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The tracing facade's promises, on Kamon's real tracer: W3C trace parents continue a caller's trace and an unsampled
 * trace hands none on; a scope puts the span's ids in the MDC and takes them out again; work handed to a pool
 * carries the span; and no attribute value outside its shape is recorded, whatever it is.
 */
class TracesTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";

    @BeforeAll
    static void alwaysSample() {
        Kamon.initWithoutAttaching(ConfigFactory.parseString("kamon.trace.sampler = always\n"
                + "kamon.trace.identifier-scheme = double\nkamon.init.hide-banner = yes")
                .withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void defaults() {
        Kamon.reconfigure(ConfigFactory.load());
    }

    @Test
    void aW3cTraceParentIsContinuedAndHandedOn() {
        Trace trace = Traces.continueFrom(Operation.PORTAL_REQUEST,
                Optional.of("00-" + TRACE + "-" + PARENT + "-01"));

        assertThat(trace.traceId()).isEqualTo(TRACE);
        assertThat(trace.spanId()).hasSize(16).isNotEqualTo(PARENT);
        assertThat(trace.traceParent()).contains("00-" + TRACE + "-" + trace.spanId() + "-01");
        trace.finish();
    }

    @Test
    void aMalformedTraceParentStartsANewTrace() {
        for (String malformed : new String[] {"", "garbage", "00-" + TRACE + "-" + PARENT, "x".repeat(5_000)}) {
            Trace trace = Traces.continueFrom(Operation.DEVICE_REQUEST, Optional.of(malformed));
            assertThat(trace.traceId()).hasSize(32).isNotEqualTo(TRACE);
            trace.finish();
        }
    }

    @Test
    void anUnsampledTraceHandsNoParentOn() {
        Kamon.reconfigure(ConfigFactory.parseString("kamon.trace.sampler = never").withFallback(Kamon.config()));
        try {
            Trace trace = Traces.start(Operation.RELAY_PUBLISH);
            assertThat(trace.sampled()).isFalse();
            assertThat(trace.traceParent()).isEmpty();
            // Its ids are still there for the log lines.
            assertThat(trace.traceId()).hasSize(32);
            trace.finish();
        } finally {
            Kamon.reconfigure(ConfigFactory.parseString("kamon.trace.sampler = always").withFallback(Kamon.config()));
        }
    }

    @Test
    void aScopePutsTheIdsInTheMdcAndRestoresWhatWasThere() {
        MDC.put(Trace.TRACE_ID, "outer");
        Trace trace = Traces.start(Operation.INGEST_COMMIT);
        try (Trace.Scope scope = trace.open()) {
            assertThat(MDC.get(Trace.TRACE_ID)).isEqualTo(trace.traceId());
            assertThat(MDC.get(Trace.SPAN_ID)).isEqualTo(trace.spanId());
            Trace child = Traces.start(Operation.HUB_LOCK);
            assertThat(child.traceId()).isEqualTo(trace.traceId());
            child.finish();
        } finally {
            trace.finish();
        }
        assertThat(MDC.get(Trace.TRACE_ID)).isEqualTo("outer");
        assertThat(MDC.get(Trace.SPAN_ID)).isNull();
        MDC.clear();
    }

    @Test
    void anEmptySpansIdsAreNoLogFields() {
        try (Trace.Scope scope = Trace.logContext("", "")) {
            assertThat(MDC.get(Trace.TRACE_ID)).isNull();
            assertThat(MDC.get(Trace.SPAN_ID)).isNull();
        }
    }

    @Test
    void workHandedToAPoolCarriesTheSpan() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Executor traced = Traces.propagating(pool);
            Trace trace = Traces.start(Operation.HANDOVER_TRANSITION);
            CompletableFuture<String[]> seen;
            try (Trace.Scope scope = trace.open()) {
                seen = CompletableFuture.supplyAsync(() -> {
                    Trace child = Traces.start(Operation.HUB_LOCK);
                    child.finish();
                    return new String[] {MDC.get(Trace.TRACE_ID), child.traceId()};
                }, traced);
            }
            assertThat(seen.get()).containsExactly(trace.traceId(), trace.traceId());
            // Nothing is left behind on the pool's thread.
            assertThat(CompletableFuture.supplyAsync(() -> String.valueOf(MDC.get(Trace.TRACE_ID)), traced).get())
                    .isEqualTo("null");
            trace.finish();
        } finally {
            pool.shutdownNow();
        }
    }

    @Property(tries = 300)
    void noValueOutsideItsShapeIsRecorded(@ForAll("values") String value) {
        for (Attribute attribute : Attribute.values()) {
            if (attribute.admits(value)) {
                assertThat(value).doesNotContain(":", "\n", "\"", " ", "@").hasSizeLessThanOrEqualTo(200);
            }
        }
    }

    @Test
    void identitiesTopicsLocatorsAndTokensHaveNoAttributesShape() {
        String hub = UUID.randomUUID().toString();
        for (String secret : new String[] {"urn:ora:hub:" + hub, "ora/v1/hub/" + hub + "/in", "/backup/v1/" + hub,
                "/v1/projects/" + hub, "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", "ABCD-EFGH-JKLM-NPQR",
                "Client Smith", "smith@example.com"}) {
            for (Attribute attribute : Attribute.values()) {
                assertThat(attribute.admits(secret)).as(attribute + " takes " + secret).isFalse();
            }
        }
    }

    @Provide
    Arbitrary<String> values() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(120),
                Arbitraries.strings().withCharRange('!', '~').ofMaxLength(120));
    }
}
