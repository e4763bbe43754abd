package io.ora.backup.store;

import io.ora.backup.store.Manifest.Kept;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * A {@link BackupStore} in an S3 bucket. Under the configured prefix each backup is a folder named by its id:
 *
 * <pre>
 * &lt;prefix&gt;&lt;hex id&gt;/manifest          the {@link Manifest}: verifier, newest version, the kept versions
 * &lt;prefix&gt;&lt;hex id&gt;/v&lt;n&gt;-&lt;32 hex&gt;       one envelope, under a name no other write can choose
 * </pre>
 *
 * <p><b>The commit point is the manifest.</b> A write first puts its envelope under a fresh random name, so two racing
 * writers never overwrite each other's object, then writes the manifest conditionally: {@code If-None-Match: *} to
 * create, {@code If-Match: <the ETag it read>} to replace. S3 lets exactly one of two such writes succeed; the loser
 * gets 412 (or 409 while the other is in flight), deletes its own envelope and answers {@link Exists} or
 * {@link Conflict} (a replace of "any version" reads again and retries instead, as the PostgreSQL store would wait
 * for the row lock). Versions a replace pushes out are deleted after its commit; if that fails they stay in the
 * folder, unreferenced, until the backup is deleted or expires, which remove every object in the folder.
 *
 * <p><b>Deleting</b> removes the envelope objects first and the manifest last, with {@code If-Match} on the manifest
 * it read. A crash in between leaves a manifest whose versions read as {@link NotFound}: still visible, so the
 * owner's repeated {@code DELETE} (the rotation flow repeats it) or the retention sweep finishes the job. The other
 * order would leave envelopes with no manifest, reachable by neither. A replace that commits while a delete runs
 * changes the manifest's ETag, so the delete's conditional manifest delete fails and it starts again.
 *
 * <p>Every object is written with server-side encryption (SSE-S3, {@code AES256}), without user metadata or tags.
 * Envelopes are {@code application/octet-stream}, the manifest {@code application/json}. The manifest holds dates,
 * nothing finer; S3 itself keeps each object's LastModified time (and, if enabled, access logs) whatever we write,
 * which is why the bucket's own retention and logging are part of the deployment's privacy review.
 *
 * <p>{@link SdkException}s become {@link StoreUnavailableException}s whose messages name the operation and the HTTP
 * status only. Nothing here logs an id, a key or an envelope.
 */
public final class S3BackupStore implements BackupStore {

    private static final Logger LOG = LoggerFactory.getLogger(S3BackupStore.class);

    /** How often a replace of any version or a delete reads again after losing a race, before answering. */
    private static final int ATTEMPTS = 5;
    private static final String MANIFEST = "manifest";
    private static final Pattern FOLDER = Pattern.compile("[0-9a-f]{64}/");
    private static final int PRECONDITION_FAILED = 412;
    private static final int CONDITIONAL_CONFLICT = 409;
    private static final int NOT_FOUND = 404;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final Clock clock;
    private final boolean ownsClient;
    private final SecureRandom random = new SecureRandom();

    /** A store on {@code s3}, which stays the caller's: {@link #close()} leaves it open. */
    public S3BackupStore(S3Client s3, String bucket, String prefix, Clock clock) {
        this(s3, bucket, prefix, clock, false);
    }

    private S3BackupStore(S3Client s3, String bucket, String prefix, Clock clock, boolean ownsClient) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.clock = clock;
        this.ownsClient = ownsClient;
    }

    /** A store that closes {@code s3} when it is closed (the client was built for it). */
    static S3BackupStore owning(S3Client s3, String bucket, String prefix, Clock clock) {
        return new S3BackupStore(s3, bucket, prefix, clock, true);
    }

    @Override
    public Created create(BackupId id, Verifier verifier, byte[] envelope) {
        Kept first = new Kept(1, today(), objectName(1), envelope.length);
        return call("create", () -> {
            // Taken names are the common refusal: answer it without uploading an envelope only to delete it. The
            // conditional manifest write below still decides a race between two creates.
            if (readManifest(id).isPresent()) {
                return new Exists();
            }
            putEnvelope(id, first.object(), envelope);
            if (putManifest(id, Manifest.first(verifier, first), Optional.empty())) {
                return new Written(1);
            }
            deleteQuietly(id, List.of(first.object()));
            return new Exists();
        });
    }

    @Override
    public Replaced replace(BackupId id, Credential credential, OptionalLong expected, byte[] envelope) {
        LocalDate today = today();
        return call("replace", () -> {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                Optional<Head> head = head(id, credential);
                if (head.isEmpty()) {
                    return new NotFound();
                }
                Manifest current = head.get().manifest();
                if (expected.isPresent() && expected.getAsLong() != current.version()) {
                    return new Conflict(current.version());
                }
                long next = current.version() + 1;
                Kept newest = new Kept(next, today, objectName(next), envelope.length);
                putEnvelope(id, newest.object(), envelope);
                Manifest successor = current.with(newest);
                if (putManifest(id, successor, Optional.of(head.get().etag()))) {
                    deleteQuietly(id, current.droppedBy(successor).stream().map(Kept::object).toList());
                    return new Written(next);
                }
                deleteQuietly(id, List.of(newest.object()));
                if (expected.isPresent()) {
                    break;
                }
            }
            Optional<Head> now = head(id, credential);
            return now.isEmpty() ? new NotFound() : new Conflict(now.get().manifest().version());
        });
    }

    @Override
    public Read read(BackupId id, Credential credential, OptionalLong version) {
        return call("read", () -> {
            Optional<Kept> kept = head(id, credential).flatMap(head -> head.manifest().find(version));
            if (kept.isEmpty()) {
                return new NotFound();
            }
            byte[] envelope;
            try {
                envelope = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(id, kept.get().object())))
                        .asByteArrayUnsafe();
            } catch (NoSuchKeyException pushedOut) {
                // A replace committed after the manifest was read and deleted this version: no longer kept.
                return new NotFound();
            }
            if (envelope.length != kept.get().bytes()) {
                throw new IllegalStateException("an envelope object's size disagrees with its manifest");
            }
            return new Found(kept.get().version(), kept.get().written(), envelope);
        });
    }

    @Override
    public Listed versions(BackupId id, Credential credential) {
        return call("versions", () -> head(id, credential)
                .<Listed>map(head -> new Versions(head.manifest().kept().stream()
                        .map(k -> new Version(k.version(), k.written(), k.bytes())).toList()))
                .orElseGet(NotFound::new));
    }

    @Override
    public Deleted delete(BackupId id, Credential credential) {
        return call("delete", () -> {
            for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
                Optional<Head> head = head(id, credential);
                if (head.isEmpty()) {
                    return new NotFound();
                }
                if (removeFolder(id, head.get().etag())) {
                    return new Removed();
                }
            }
            throw new IllegalStateException("the backup kept changing while it was deleted");
        });
    }

    /**
     * Lists the prefix page by page (ListObjectsV2) and deletes each backup whose manifest says its newest version
     * was written before {@code cutoff}. A folder with no manifest holds what a crashed create left; its objects are
     * deleted once S3's own LastModified is before the cutoff too.
     */
    @Override
    public int expire(LocalDate cutoff) {
        return call("expire", () -> {
            int expired = 0;
            String folder = null;
            List<S3Object> objects = new ArrayList<>();
            // Keys come in binary order, so a folder's objects are contiguous.
            for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                String rest = object.key().substring(prefix.length());
                if (rest.length() < 65 || !FOLDER.matcher(rest.substring(0, 65)).matches()) {
                    continue;
                }
                String hex = rest.substring(0, 64);
                if (!hex.equals(folder)) {
                    expired += sweep(folder, objects, cutoff);
                    folder = hex;
                    objects = new ArrayList<>();
                }
                objects.add(object);
            }
            return expired + sweep(folder, objects, cutoff);
        });
    }

    @Override
    public void close() {
        if (ownsClient) {
            s3.close();
        }
    }

    /** One folder of the expiry sweep: 1 when its backup expired and was deleted. */
    private int sweep(String hex, List<S3Object> objects, LocalDate cutoff) {
        if (hex == null) {
            return 0;
        }
        BackupId id = BackupId.ofHash(HexFormat.of().parseHex(hex));
        Optional<Head> head = readManifest(id);
        if (head.isPresent()) {
            return head.get().manifest().written().isBefore(cutoff) && removeFolder(id, head.get().etag()) ? 1 : 0;
        }
        List<String> stale = objects.stream()
                .filter(o -> o.lastModified().isBefore(cutoff.atStartOfDay(ZoneOffset.UTC).toInstant()))
                .map(o -> o.key().substring(folder(id).length()))
                .toList();
        deleteQuietly(id, stale);
        return 0;
    }

    /**
     * Deletes every object in the backup's folder, the manifest last and only while its ETag is still {@code etag};
     * false when the manifest changed meanwhile (the caller reads it again).
     */
    private boolean removeFolder(BackupId id, String etag) {
        List<ObjectIdentifier> envelopes = new ArrayList<>();
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(folder(id))).contents()) {
            if (!object.key().equals(key(id, MANIFEST))) {
                envelopes.add(ObjectIdentifier.builder().key(object.key()).build());
            }
        }
        if (deleteObjects(envelopes) > 0) {
            throw new IllegalStateException("S3 refused to delete envelope objects");
        }
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key(id, MANIFEST)).ifMatch(etag));
            return true;
        } catch (NoSuchKeyException alreadyGone) {
            return true;
        } catch (S3Exception e) {
            if (lostRace(e)) {
                return false;
            }
            throw e;
        }
    }

    /** The manifest under {@code id} and its ETag, when it exists and {@code credential} matches its verifier. */
    private Optional<Head> head(BackupId id, Credential credential) {
        return readManifest(id).filter(head -> credential.matches(head.manifest().verifier()));
    }

    private Optional<Head> readManifest(BackupId id) {
        ResponseBytes<GetObjectResponse> manifest;
        try {
            manifest = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key(id, MANIFEST)));
        } catch (NoSuchKeyException absent) {
            return Optional.empty();
        }
        return Optional.of(new Head(Manifest.parse(manifest.asByteArrayUnsafe()), manifest.response().eTag()));
    }

    /**
     * Writes the manifest: only if none exists ({@code etag} empty) or only over the one with {@code etag}. False
     * when S3 refused because the condition does not hold (412; 404 when the manifest {@code etag} names was deleted
     * meanwhile) or a concurrent conditional write is in flight (409).
     */
    private boolean putManifest(BackupId id, Manifest manifest, Optional<String> etag) {
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(bucket).key(key(id, MANIFEST))
                .contentType("application/json").serverSideEncryption(ServerSideEncryption.AES256);
        etag.ifPresentOrElse(request::ifMatch, () -> request.ifNoneMatch("*"));
        try {
            s3.putObject(request.build(), RequestBody.fromBytes(manifest.toJson()));
            return true;
        } catch (S3Exception e) {
            if (lostRace(e) || (etag.isPresent() && e.statusCode() == NOT_FOUND)) {
                return false;
            }
            throw e;
        }
    }

    private void putEnvelope(BackupId id, String object, byte[] envelope) {
        s3.putObject(b -> b.bucket(bucket).key(key(id, object)).contentType("application/octet-stream")
                .serverSideEncryption(ServerSideEncryption.AES256), RequestBody.fromBytes(envelope));
    }

    /** Deletes envelope objects nothing refers to any more; a failure only leaves them for the folder's removal. */
    private void deleteQuietly(BackupId id, List<String> objects) {
        int refused;
        try {
            refused = deleteObjects(objects.stream().map(o -> ObjectIdentifier.builder().key(key(id, o)).build())
                    .toList());
        } catch (SdkException e) {
            LOG.warn("{} unreferenced envelope object(s) not deleted ({}); they go with their backup",
                    objects.size(), status(e));
            return;
        }
        if (refused > 0) {
            LOG.warn("{} unreferenced envelope object(s) not deleted; they go with their backup", refused);
        }
    }

    /** Deletes {@code objects} in one request; answers how many S3 refused to delete. */
    private int deleteObjects(List<ObjectIdentifier> objects) {
        if (objects.isEmpty()) {
            return 0;
        }
        // A folder holds a handful of objects: far below DeleteObjects' 1000 per request.
        return s3.deleteObjects(b -> b.bucket(bucket).delete(Delete.builder().objects(objects).quiet(true).build()))
                .errors().size();
    }

    private static boolean lostRace(S3Exception e) {
        return e.statusCode() == PRECONDITION_FAILED || e.statusCode() == CONDITIONAL_CONFLICT;
    }

    private String objectName(long version) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        return "v" + version + "-" + HexFormat.of().formatHex(nonce);
    }

    private String folder(BackupId id) {
        return prefix + id.hex() + "/";
    }

    private String key(BackupId id, String object) {
        return folder(id) + object;
    }

    private LocalDate today() {
        return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private static String status(SdkException e) {
        return e instanceof S3Exception s3e ? "HTTP " + s3e.statusCode() : e.getClass().getSimpleName();
    }

    private static <T> T call(String operation, Supplier<T> work) {
        try {
            return work.get();
        } catch (SdkException e) {
            throw new StoreUnavailableException("backup store (S3) " + operation + " failed: " + status(e), e);
        } catch (IllegalArgumentException | IllegalStateException corrupt) {
            throw new StoreUnavailableException("backup store (S3) " + operation + " failed: " + corrupt.getMessage(),
                    corrupt);
        }
    }

    /** A manifest as read, with the ETag a conditional write or delete names. */
    private record Head(Manifest manifest, String etag) {
    }
}
