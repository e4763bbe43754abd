package io.ora.core.firmware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files as the firmware CLI writes them: PEM that reads back, private keys owner-only, never overwritten. */
class FirmwareKeysTest {

    @TempDir
    Path dir;

    @Test
    void keysReadBackFromTheirPem() throws Exception {
        KeyPair pair = FirmwareKeys.generate();
        Path privateFile = dir.resolve("release.key");
        Path publicFile = dir.resolve("release.pub");

        FirmwareKeys.writePrivate(pair.getPrivate(), privateFile);
        FirmwareKeys.writePublic(pair.getPublic(), publicFile);

        assertThat(Files.readString(privateFile)).startsWith("-----BEGIN PRIVATE KEY-----\n")
                .endsWith("-----END PRIVATE KEY-----\n");
        assertThat(FirmwareKeys.readPrivate(privateFile).getEncoded()).isEqualTo(pair.getPrivate().getEncoded());
        assertThat(FirmwareKeys.readPublic(publicFile)).isEqualTo(pair.getPublic());
        assertThat(FirmwareKeys.parsePublic(Files.readString(publicFile))).isEqualTo(pair.getPublic());
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertThat(Files.getPosixFilePermissions(privateFile))
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws Exception {
        Path existing = Files.writeString(dir.resolve("root.key"), "the only copy");
        Path existingPub = Files.writeString(dir.resolve("root.pub"), "kept");
        KeyPair pair = FirmwareKeys.generate();

        assertThatThrownBy(() -> FirmwareKeys.writePrivate(pair.getPrivate(), existing))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> FirmwareKeys.writePublic(pair.getPublic(), existingPub))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(Files.readString(existing)).isEqualTo("the only copy");
        assertThat(Files.readString(existingPub)).isEqualTo("kept");
    }

    @Test
    void whatIsNotAnEd25519KeyIsRefused() throws Exception {
        Path notPem = Files.writeString(dir.resolve("x.pub"), "not a key");

        assertThatThrownBy(() -> FirmwareKeys.readPublic(notPem)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FirmwareKeys.publicKey(new byte[44])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FirmwareKeys.readPrivate(notPem)).isInstanceOf(IllegalArgumentException.class);
    }
}
