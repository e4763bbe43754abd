package io.ora.load.identities;

import io.ora.core.identity.PeerId;
import io.ora.core.pki.CertificateAuthority;
import io.ora.core.pki.DevPki;
import io.ora.core.pki.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Issues a benchmark population from the development CA: N hubs with random UUIDs and M apps named
 * {@code app-0001}…, each with its own EC P-256 key and certificate, then the bindings (hub {@code i} to app
 * {@code i mod M}) and the Mosquitto set-up that grants them the relay's rights. See {@link CertificateSet} for the
 * layout.
 *
 * <p>Keys are generated and signed on several threads: 10,000 identities take seconds, not minutes. The output
 * directory must not already hold identities, so two runs never mix into one inconsistent population.
 */
public final class IdentityIssuer {

    /** Long enough for any benchmark campaign, short enough that a leaked key does not matter for long. */
    private static final Duration VALIDITY = Duration.ofDays(90);
    /** A generous bound for one population; 10,000 identities take well under a minute on two cores. */
    private static final Duration ISSUE_LIMIT = Duration.ofMinutes(30);

    private IdentityIssuer() {
    }

    /**
     * What to issue.
     *
     * @param caDir    development CA directory ({@code ca.crt}, {@code ca.key}, {@code server.crt},
     *                 {@code server.key}); created when missing
     * @param hubs     number of hub identities
     * @param apps     number of app identities; at least one when there are hubs
     * @param out      output directory
     * @param listener where the generated Mosquitto configuration listens
     * @param threads  signing threads
     */
    public record Request(Path caDir, int hubs, int apps, Path out, MosquittoConfig.Listener listener, int threads) {
        public Request {
            if (hubs < 0 || apps < 0 || (hubs > 0 && apps == 0)) {
                throw new IllegalArgumentException("need hubs >= 0 and apps >= 1 (hubs are bound to apps)");
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1");
            }
        }
    }

    /** What was written. */
    public record Result(CertificateSet set, Path conf, Path acl, Duration elapsed) {

        /** Lines for the command line. */
        public List<String> lines() {
            return List.of(
                    String.format(Locale.ROOT, "issued %d hubs and %d apps in %.1f s into %s",
                            set.bindings().hubs().size(), set.bindings().apps().size(), elapsed.toMillis() / 1000.0,
                            set.dir()),
                    "bindings:  " + set.dir().resolve(CertificateSet.BINDINGS_FILE),
                    "mosquitto: mosquitto -c " + conf + "   (ACL " + acl + ")");
        }
    }

    /** Issues the population described by {@code request}. */
    public static Result issue(Request request) throws IOException, InterruptedException {
        long started = System.nanoTime();
        Path out = request.out().toAbsolutePath().normalize();
        refuseExisting(out.resolve(CertificateSet.HUBS_DIR));
        refuseExisting(out.resolve(CertificateSet.APPS_DIR));
        DevPki pki = DevPki.openOrCreate(request.caDir().toAbsolutePath().normalize());
        CertificateAuthority ca = pki.authority();
        String caPem = Files.readString(pki.caCertificate(), StandardCharsets.US_ASCII);

        List<UUID> hubs = Stream.generate(UUID::randomUUID).limit(request.hubs()).toList();
        List<String> apps = new ArrayList<>();
        for (int i = 1; i <= request.apps(); i++) {
            apps.add(String.format(Locale.ROOT, "app-%04d", i));
        }
        Bindings bindings = Bindings.roundRobin(hubs, apps);
        CertificateSet set = new CertificateSet(out, bindings);

        List<Issue> work = new ArrayList<>();
        hubs.forEach(hub -> work.add(new Issue(new PeerId.Hub(hub), set.hubDir(hub))));
        apps.forEach(app -> work.add(new Issue(new PeerId.App(app), set.appDir(app))));
        issueAll(ca, caPem, work, request.threads());

        Files.writeString(out.resolve(CertificateSet.BINDINGS_FILE), bindings.toText(), StandardCharsets.UTF_8);
        Path acl = out.resolve(CertificateSet.ACL_FILE);
        Files.writeString(acl, MosquittoConfig.acl(bindings), StandardCharsets.UTF_8);
        Path conf = out.resolve(CertificateSet.CONF_FILE);
        Files.writeString(conf, MosquittoConfig.conf(request.listener(), pki.caCertificate(),
                pki.serverCertificate(), pki.serverKey(), acl), StandardCharsets.UTF_8);
        return new Result(set, conf, acl, Duration.ofNanos(System.nanoTime() - started));
    }

    private static void issueAll(CertificateAuthority ca, String caPem, List<Issue> work, int threads)
            throws IOException, InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> pending = new ArrayList<>();
            for (Issue issue : work) {
                pending.add(pool.submit(() -> write(ca, caPem, issue)));
            }
            long deadline = System.nanoTime() + ISSUE_LIMIT.toNanos();
            for (Future<?> future : pending) {
                try {
                    future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException failed) {
                    if (failed.getCause() instanceof UncheckedIOException io) {
                        throw io.getCause();
                    }
                    throw new IllegalStateException("cannot issue a certificate", failed.getCause());
                } catch (TimeoutException slow) {
                    throw new IOException("issuing took longer than " + ISSUE_LIMIT, slow);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void write(CertificateAuthority ca, String caPem, Issue issue) {
        // DevPki.issuePeerFiles would re-read the CA key from disk for every identity; here it is loaded once.
        KeyPair pair = CertificateAuthority.newKeyPair();
        X509Certificate certificate = ca.issuePeer(issue.peer(), pair.getPublic(), VALIDITY);
        try {
            Files.createDirectories(issue.dir());
            Pem.write(issue.dir().resolve("client.key"), Pem.privateKey(pair.getPrivate()), true);
            Files.writeString(issue.dir().resolve("client.crt"), Pem.certificates(List.of(certificate)),
                    StandardCharsets.US_ASCII);
            Files.writeString(issue.dir().resolve("ca.crt"), caPem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void refuseExisting(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            Optional<Path> any = entries.findAny();
            if (any.isPresent()) {
                throw new IOException(dir + " already holds identities; use an empty --out");
            }
        }
    }

    private record Issue(PeerId peer, Path dir) {
    }
}
