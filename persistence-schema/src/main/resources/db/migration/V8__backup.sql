-- Sealed hub backups kept by the backup role (docs/backup.md, "The store"), when ora.backup.store.backend is
-- postgres. A backup is named by SHA-256 of its locator and guarded by SHA-256 of its write credential; both come
-- from the Recovery Key, which never leaves the hub, so no row can be linked to a hub, a home, a certificate or an
-- address. These two tables hold exactly what the document lists and nothing else: no hub, no certificate, no
-- owner, and no time finer than the UTC date (a date is what the retention needs; a timestamp would help to match a
-- row to a connection in some other log).

-- One row per backup: its name, its verifier, and the number and date of its newest version.
CREATE TABLE backup (
    id        bytea  PRIMARY KEY CHECK (octet_length(id) = 32),
    verifier  bytea  NOT NULL CHECK (octet_length(verifier) = 32),
    version   bigint NOT NULL CHECK (version >= 1),
    written   date   NOT NULL
);

-- The retention sweep deletes backups whose newest version was written before a cutoff.
CREATE INDEX backup_written ON backup (written);

-- The kept versions (at most 3; a write deletes the one it pushes out), deleted with their backup.
CREATE TABLE backup_version (
    id        bytea  NOT NULL REFERENCES backup (id) ON DELETE CASCADE,
    version   bigint NOT NULL CHECK (version >= 1),
    written   date   NOT NULL,
    envelope  bytea  NOT NULL,
    PRIMARY KEY (id, version)
);

-- An envelope is XChaCha20-Poly1305 ciphertext behind a 60-byte header: it does not compress. EXTERNAL keeps large
-- values out of line as the default does, but skips the pglz attempt that would only spend CPU on every write to
-- find that out.
ALTER TABLE backup_version ALTER COLUMN envelope SET STORAGE EXTERNAL;
