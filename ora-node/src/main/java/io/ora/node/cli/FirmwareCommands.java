package io.ora.node.cli;

import io.ora.core.firmware.FirmwareKeys;
import io.ora.core.firmware.FirmwareRefusal;
import io.ora.core.firmware.FirmwareVersion;
import io.ora.core.firmware.InvalidDocumentException;
import io.ora.core.firmware.ReleaseMetadata;
import io.ora.core.firmware.RootMetadata;
import io.ora.core.firmware.SignedEnvelope;
import io.ora.core.firmware.TrustedRoot;
import io.ora.hubkit.ota.FirmwareVerification;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code firmware keygen}, {@code sign}, {@code rotate} and {@code verify}: the firmware team's tools for the signed
 * documents of docs/ota.md ("Keys and signed metadata"), run where the root key is kept (offline) and where releases
 * are signed. None of them talks to a node. Keys are never printed, only their ids; a usage error is thrown as an
 * {@link IllegalArgumentException}, which {@link Cli} turns into status {@value Cli#USAGE} and the usage text, and
 * every other failure is one {@code error:} line and status 1. No file is ever written over: a key or signed
 * document that exists stays as it is.
 */
final class FirmwareCommands {

    /** Refused, or a document that does not verify. */
    static final int FAILED = 1;

    static final String KEYGEN_USAGE = "usage: firmware keygen --out <dir> [--expires-in-days N]";
    static final String SIGN_USAGE = "usage: firmware sign --key <release.key> --image <file> --model <model>"
            + " --version <x.y.z> [--min-version <x.y.z>] [--notes <text>] [--expires-in-days N] --out <release.json>";
    static final String ROTATE_USAGE = "usage: firmware rotate --root-key <root.key> [--new-root-key <new-root.key>]"
            + " --release-pub <release.pub> [--release-pub <pub> ...] --version <n> [--expires-in-days N]"
            + " --out <root.json>";
    static final String VERIFY_USAGE = "usage: firmware verify --root-key <root.pub> --roots <root.json>[,...]"
            + " --release <release.json> [--image <file>] [--model <model>] [--installed <x.y.z>]";

    private static final long ROOT_DAYS = 365;
    private static final long RELEASE_DAYS = 90;
    /** Ten years: longer-lived metadata would outlive any key it names. */
    private static final long MAX_DAYS = 3650;
    private static final int MAX_KEYS = 8;

    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    FirmwareCommands(PrintStream out, PrintStream err, Clock clock) {
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    int run(List<String> args) throws IOException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("firmware needs a subcommand: keygen, sign, rotate or verify");
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.get(0)) {
                case "keygen" -> keygen(rest);
                case "sign" -> sign(rest);
                case "rotate" -> rotate(rest);
                case "verify" -> verify(rest);
                default -> throw new IllegalArgumentException("unknown firmware subcommand '" + args.get(0) + "'");
            };
        } catch (NoSuchFileException missing) {
            return fail("no such file: " + missing.getFile());
        } catch (AccessDeniedException denied) {
            return fail("permission denied: " + denied.getFile());
        }
    }

    private int keygen(List<String> args) throws IOException {
        Options options = Options.parse(args, List.of("--out", "--expires-in-days"));
        if (!options.positional().isEmpty() || options.value("--out").isEmpty()) {
            throw new IllegalArgumentException(KEYGEN_USAGE);
        }
        Instant expires = expires(options, ROOT_DAYS);
        Path dir = Path.of(options.value("--out").get());
        List<Path> files = List.of(dir.resolve("root.key"), dir.resolve("root.pub"), dir.resolve("release.key"),
                dir.resolve("release.pub"), dir.resolve("root.json"));
        // All checked before any is written, so a refusal leaves no half of a new key set beside an old one.
        for (Path file : files) {
            refuseExisting(file);
        }
        Files.createDirectories(dir);
        KeyPair root = FirmwareKeys.generate();
        KeyPair release = FirmwareKeys.generate();
        RootMetadata metadata = new RootMetadata(1, expires, List.of(root.getPublic()),
                List.of(release.getPublic()));
        SignedEnvelope signed = SignedEnvelope.sign(SignedEnvelope.ROOT_TYPE, metadata.toJson(),
                List.of(root.getPrivate()));
        try {
            FirmwareKeys.writePrivate(root.getPrivate(), files.get(0));
            FirmwareKeys.writePublic(root.getPublic(), files.get(1));
            FirmwareKeys.writePrivate(release.getPrivate(), files.get(2));
            FirmwareKeys.writePublic(release.getPublic(), files.get(3));
            writeNew(files.get(4), signed.toJson());
        } catch (FileAlreadyExistsException raced) {
            throw new IllegalArgumentException(raced.getFile() + " exists: firmware keys are never written over");
        }
        out.printf("root key     %s  %s (private: keep it offline), %s (pin it in every hub)%n",
                FirmwareKeys.keyId(root.getPublic()), files.get(0), files.get(1));
        out.printf("release key  %s  %s, %s%n", FirmwareKeys.keyId(release.getPublic()), files.get(2),
                files.get(3));
        out.printf("root 1       %s, expires %s: upload it (POST /v1/ota/roots) before the first release%n",
                files.get(4), expires);
        return 0;
    }

    private int sign(List<String> args) throws IOException {
        Options options = Options.parse(args, List.of("--key", "--image", "--model", "--version", "--min-version",
                "--notes", "--expires-in-days", "--out"));
        if (!options.positional().isEmpty() || options.value("--key").isEmpty() || options.value("--image").isEmpty()
                || options.value("--model").isEmpty() || options.value("--version").isEmpty()
                || options.value("--out").isEmpty()) {
            throw new IllegalArgumentException(SIGN_USAGE);
        }
        String model = model(options.value("--model").get());
        FirmwareVersion version = version(options.value("--version").get(), "--version");
        FirmwareVersion minVersion = options.value("--min-version").map(text -> version(text, "--min-version"))
                .orElse(FirmwareVersion.ZERO);
        if (!minVersion.isBelow(version)) {
            throw new IllegalArgumentException("--min-version must be below --version: a hub installs only a"
                    + " version above the one it runs");
        }
        String notes = options.value("--notes").orElse("");
        if (notes.length() > ReleaseMetadata.MAX_NOTES) {
            throw new IllegalArgumentException("--notes is at most " + ReleaseMetadata.MAX_NOTES + " characters");
        }
        Instant expires = expires(options, RELEASE_DAYS);
        Path target = Path.of(options.value("--out").get());
        refuseExisting(target);
        PrivateKey key = privateKey(options, "--key");
        Path image = Path.of(options.value("--image").get());
        Digest digest = digest(image);
        if (digest.size() < 1 || digest.size() > ReleaseMetadata.MAX_SIZE) {
            return fail("the image is " + digest.size() + " bytes: an image is 1 to " + ReleaseMetadata.MAX_SIZE
                    + " bytes");
        }
        ReleaseMetadata release = new ReleaseMetadata(model, version, minVersion, digest.size(), digest.sha256(),
                notes, expires);
        SignedEnvelope signed = SignedEnvelope.sign(SignedEnvelope.RELEASE_TYPE, release.toJson(), List.of(key));
        writeSigned(target, signed);
        out.printf("release  %s %s (installs over %s and later), expires %s%n", model, version, minVersion,
                expires);
        out.printf("image    %s: %d bytes, sha256 %s%n", image, digest.size(), release.sha256Hex());
        out.printf("signed   by %s into %s%n", signed.signatures().get(0).keyId(), target);
        return 0;
    }

    private int rotate(List<String> args) throws IOException {
        Options options = Options.parse(args, List.of("--root-key", "--new-root-key", "--release-pub", "--version",
                "--expires-in-days", "--out"));
        List<String> releasePubs = options.all("--release-pub");
        if (!options.positional().isEmpty() || options.value("--root-key").isEmpty() || releasePubs.isEmpty()
                || options.value("--version").isEmpty() || options.value("--out").isEmpty()) {
            throw new IllegalArgumentException(ROTATE_USAGE);
        }
        if (releasePubs.size() > MAX_KEYS) {
            throw new IllegalArgumentException("at most " + MAX_KEYS + " --release-pub keys");
        }
        int version = rootVersion(options.value("--version").get());
        Instant expires = expires(options, ROOT_DAYS);
        Path target = Path.of(options.value("--out").get());
        refuseExisting(target);
        PrivateKey current = privateKey(options, "--root-key");
        Optional<PrivateKey> next = options.value("--new-root-key").isPresent()
                ? Optional.of(privateKey(options, "--new-root-key")) : Optional.empty();
        List<PublicKey> releaseKeys = new ArrayList<>();
        for (String file : releasePubs) {
            PublicKey key = publicKey(Path.of(file), "--release-pub");
            if (releaseKeys.contains(key)) {
                throw new IllegalArgumentException("--release-pub names the same key twice: " + file);
            }
            releaseKeys.add(key);
        }
        PublicKey rootKey = FirmwareKeys.publicOf(next.orElse(current));
        List<PrivateKey> signers = new ArrayList<>(List.of(current));
        next.ifPresent(signers::add);
        RootMetadata metadata = new RootMetadata(version, expires, List.of(rootKey), releaseKeys);
        SignedEnvelope signed = SignedEnvelope.sign(SignedEnvelope.ROOT_TYPE, metadata.toJson(), signers);
        writeSigned(target, signed);
        out.printf("root %-7d %s, expires %s: upload it (POST /v1/ota/roots)%n", version, target, expires);
        out.printf("root key     %s%s%n", FirmwareKeys.keyId(rootKey),
                next.isPresent() ? " (new: from now on it signs the next root)" : "");
        out.printf("release keys %s%n", ids(releaseKeys));
        out.printf("signed by    %s%n", signed.signatures().stream().map(SignedEnvelope.KeySignature::keyId)
                .collect(Collectors.joining(", ")));
        return 0;
    }

    /**
     * Checks as a hub of the release's model (or {@code --model}) running its {@code minVersion} (or
     * {@code --installed}) would, printing each step, so the firmware team sees what a hub will decide and why.
     */
    private int verify(List<String> args) throws IOException {
        Options options = Options.parse(args, List.of("--root-key", "--roots", "--release", "--image", "--model",
                "--installed"));
        if (!options.positional().isEmpty() || options.value("--root-key").isEmpty()
                || options.value("--roots").isEmpty() || options.value("--release").isEmpty()) {
            throw new IllegalArgumentException(VERIFY_USAGE);
        }
        Optional<FirmwareVersion> installedOption = options.value("--installed")
                .map(text -> version(text, "--installed"));
        if (options.value("--model").isPresent()) {
            model(options.value("--model").get());
        }
        PublicKey pinned = publicKey(Path.of(options.value("--root-key").get()), "--root-key");
        List<SignedEnvelope> roots = new ArrayList<>();
        for (String file : options.value("--roots").get().split(",")) {
            if (file.isBlank()) {
                throw new IllegalArgumentException("--roots is a comma-separated list of files, oldest first");
            }
            Optional<SignedEnvelope> root = readEnvelope(Path.of(file.strip()), "root metadata");
            if (root.isEmpty()) {
                return FAILED;
            }
            roots.add(root.get());
        }
        Optional<SignedEnvelope> release = readEnvelope(Path.of(options.value("--release").get()), "release");
        if (release.isEmpty()) {
            return FAILED;
        }
        Instant now = clock.instant();
        out.printf("pinned root key  %s%n", FirmwareKeys.keyId(pinned));
        describeChain(TrustedRoot.pinned(pinned), roots, now);

        Optional<ReleaseMetadata> metadata = readRelease(release.get());
        // A release that is not one cannot get past the signature check, so any model will do for it.
        String model = options.value("--model").orElse(metadata.map(ReleaseMetadata::model).orElse("unknown"));
        FirmwareVersion installed = installedOption
                .orElse(metadata.map(ReleaseMetadata::minVersion).orElse(FirmwareVersion.ZERO));
        metadata.ifPresent(this::describeRelease);
        out.printf("release signers  %s%n", release.get().signatures().stream()
                .map(SignedEnvelope.KeySignature::keyId).collect(Collectors.joining(", ")));
        out.printf("as a hub         of model %s running %s, at %s%n", model, installed,
                now.truncatedTo(ChronoUnit.SECONDS));
        FirmwareVerification.Outcome outcome = new FirmwareVerification(TrustedRoot.pinned(pinned), model, installed)
                .beforeDownload(release.get(), roots, now);
        if (outcome.refusal().isPresent()) {
            return refused(outcome.refusal().get());
        }
        FirmwareVerification.Accepted accepted = outcome.accepted().get();
        out.printf("metadata         accepted: root %d, signed by a release key it names, not expired, model and"
                + " version fit%n", accepted.root().version());
        if (options.value("--image").isPresent()) {
            Path image = Path.of(options.value("--image").get());
            Optional<FirmwareRefusal> afterDownload = FirmwareVerification.afterDownload(accepted.release(), image);
            if (afterDownload.isPresent()) {
                Digest digest = digest(image);
                out.printf("image            %s: %d bytes, sha256 %s%n", image, digest.size(),
                        HexFormat.of().formatHex(digest.sha256()));
                return refused(afterDownload.get());
            }
            out.printf("image            %s: the signed size and SHA-256%n", image);
        }
        out.println("ok: a hub would install it");
        return 0;
    }

    /** One line per root envelope: what it is, who signed it and whether the walk takes it. */
    private void describeChain(TrustedRoot start, List<SignedEnvelope> roots, Instant now) {
        TrustedRoot trusted = start;
        boolean broken = false;
        for (SignedEnvelope envelope : roots) {
            String signers = envelope.signatures().stream().map(SignedEnvelope.KeySignature::keyId)
                    .collect(Collectors.joining(", "));
            RootMetadata metadata;
            try {
                if (!envelope.payloadType().equals(SignedEnvelope.ROOT_TYPE)) {
                    throw new InvalidDocumentException("its payload type is not " + SignedEnvelope.ROOT_TYPE);
                }
                metadata = RootMetadata.parse(envelope.payload());
            } catch (InvalidDocumentException e) {
                out.printf("root ?           not root metadata: %s%n", e.getMessage());
                broken = true;
                continue;
            }
            String step;
            if (broken) {
                step = "not walked (an earlier root does not verify)";
            } else {
                Optional<TrustedRoot> next = trusted.next(envelope);
                if (next.isEmpty()) {
                    broken = true;
                    step = metadata.version() != trusted.version() + 1
                            ? "refused: version " + (trusted.version() + 1) + " is next"
                            : "refused: not signed by a root key of version " + trusted.version()
                                    + " and one of its own";
                } else if (next.get() == trusted) {
                    step = "passed over (not newer than version " + trusted.version() + ")";
                } else {
                    trusted = next.get();
                    step = "trusted";
                }
            }
            out.printf("root %-11d %s; signed by %s; expires %s%s%n", metadata.version(), step, signers,
                    metadata.expires(), now.isBefore(metadata.expires()) ? "" : " (expired)");
            out.printf("%17sroot keys %s; release keys %s%n", "", ids(metadata.rootKeys()),
                    ids(metadata.releaseKeys()));
        }
    }

    private void describeRelease(ReleaseMetadata release) {
        out.printf("release          %s %s (installs over %s and later), expires %s%s%n", release.model(),
                release.version(), release.minVersion(), release.expires(),
                clock.instant().isBefore(release.expires()) ? "" : " (expired)");
        out.printf("artifact         %d bytes, sha256 %s%n", release.size(), release.sha256Hex());
    }

    private static Optional<ReleaseMetadata> readRelease(SignedEnvelope release) {
        try {
            return Optional.of(ReleaseMetadata.parse(release.payload()));
        } catch (InvalidDocumentException notARelease) {
            return Optional.empty();
        }
    }

    private int refused(FirmwareRefusal refusal) {
        err.println("refused: " + refusal.wireName());
        return FAILED;
    }

    private Optional<SignedEnvelope> readEnvelope(Path file, String what) throws IOException {
        if (Files.size(file) > SignedEnvelope.MAX_BYTES) {
            fail(file + " is larger than an envelope (" + SignedEnvelope.MAX_BYTES + " bytes)");
            return Optional.empty();
        }
        try {
            return Optional.of(SignedEnvelope.parse(Files.readAllBytes(file)));
        } catch (InvalidDocumentException e) {
            fail(file + " is not a signed " + what + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The image's size and SHA-256, read as a stream (an image can be larger than the heap). */
    private record Digest(long size, byte[] sha256) {
    }

    private static Digest digest(Path image) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
        long size = 0;
        try (InputStream in = Files.newInputStream(image)) {
            byte[] buffer = new byte[64 * 1024];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                sha256.update(buffer, 0, read);
                size += read;
            }
        }
        return new Digest(size, sha256.digest());
    }

    private Instant expires(Options options, long defaultDays) {
        long days = options.value("--expires-in-days").map(text -> {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException notANumber) {
                return 0L;
            }
        }).orElse(defaultDays);
        if (days < 1 || days > MAX_DAYS) {
            throw new IllegalArgumentException("--expires-in-days is a whole number of days, 1 to " + MAX_DAYS);
        }
        return clock.instant().truncatedTo(ChronoUnit.SECONDS).plus(Duration.ofDays(days));
    }

    private static FirmwareVersion version(String text, String option) {
        return FirmwareVersion.parse(text).orElseThrow(() -> new IllegalArgumentException(option
                + " is MAJOR.MINOR.PATCH, each at most nine digits without leading zeros (no suffix): "
                + "'" + text.replaceAll("\\p{Cntrl}", "?") + "' is not"));
    }

    private static String model(String text) {
        if (!ReleaseMetadata.MODEL.matcher(text).matches()) {
            throw new IllegalArgumentException("--model is lower-case letters, digits and '-', 1 to 63 characters,"
                    + " starting with a letter or digit");
        }
        return text;
    }

    private static int rootVersion(String text) {
        try {
            int version = Integer.parseInt(text);
            if (version >= 1) {
                return version;
            }
        } catch (NumberFormatException notANumber) {
            // Refused below, like zero.
        }
        throw new IllegalArgumentException("--version is the root metadata's version, 1 or more (one more than the"
                + " newest uploaded)");
    }

    private static PrivateKey privateKey(Options options, String option) throws IOException {
        Path file = Path.of(options.value(option).get());
        try {
            return FirmwareKeys.readPrivate(file);
        } catch (IllegalArgumentException notAKey) {
            throw new IllegalArgumentException(option + ": " + file + " is not a PEM Ed25519 private key");
        }
    }

    private static PublicKey publicKey(Path file, String option) throws IOException {
        try {
            return FirmwareKeys.readPublic(file);
        } catch (IllegalArgumentException notAKey) {
            throw new IllegalArgumentException(option + ": " + file + " is not a PEM Ed25519 public key");
        }
    }

    private static String ids(List<PublicKey> keys) {
        return keys.stream().map(FirmwareKeys::keyId).collect(Collectors.joining(", "));
    }

    private static void refuseExisting(Path file) {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(file + " exists: firmware keys and signed documents are never written"
                    + " over");
        }
    }

    private static void writeSigned(Path target, SignedEnvelope signed) throws IOException {
        try {
            writeNew(target, signed.toJson());
        } catch (FileAlreadyExistsException raced) {
            throw new IllegalArgumentException(target + " exists: firmware keys and signed documents are never"
                    + " written over");
        }
    }

    private static void writeNew(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    private int fail(String message) {
        err.println("error: " + message.replaceAll("\\p{Cntrl}", " "));
        return FAILED;
    }
}
