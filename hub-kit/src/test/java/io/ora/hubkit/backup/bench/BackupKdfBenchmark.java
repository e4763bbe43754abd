package io.ora.hubkit.backup.bench;

import io.ora.core.backup.BackupEnvelope;
import io.ora.hubkit.backup.BackupKeys;
import io.ora.hubkit.backup.BackupSeal;
import io.ora.hubkit.backup.RecoveryKey;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a backup costs on the hub, beside what the cloud measures (docs/benchmarks.md, "Backup"): the key derivation
 * from a Recovery Key (one Argon2id, 256 MiB, 3 passes, 1 lane, then the locator's and the credential's HKDFs), and
 * sealing and opening a 256 KiB backup (an HKDF for the sealing key, then XChaCha20-Poly1305). One thread, time per
 * operation. The derivation is about a second and a half: few iterations are plenty, and each fork needs the 256 MiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Threads(1)
public class BackupKdfBenchmark {

    /** A backup of the size the cloud benchmark uploads (the envelope adds 76 bytes). */
    static final int PLAINTEXT_BYTES = 256 * 1024;

    private final SecureRandom random = new SecureRandom();
    private RecoveryKey key;
    private BackupKeys keys;
    private byte[] plaintext;
    private byte[] envelope;

    @Setup
    public void setUp() {
        key = RecoveryKey.generate(random);
        keys = BackupKeys.derive(key);
        plaintext = new byte[PLAINTEXT_BYTES];
        random.nextBytes(plaintext);
        envelope = BackupSeal.seal(keys, plaintext, random).bytes();
    }

    /** Everything a restoring hub derives from the typed key before it can ask for its backup. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1, time = 3)
    @Measurement(iterations = 3, time = 5)
    public String derive() {
        BackupKeys derived = BackupKeys.derive(key);
        try {
            return derived.locatorText() + derived.writeCredentialText();
        } finally {
            derived.destroy();
        }
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public BackupEnvelope seal() {
        return BackupSeal.seal(keys, plaintext, random);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public BackupSeal.Opened open() {
        return BackupSeal.open(keys, envelope, envelope.length);
    }
}
