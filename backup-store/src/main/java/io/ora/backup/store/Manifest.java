package io.ora.backup.store;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValueFactory;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * The S3 backend's record of one backup, the object {@code <prefix><hex id>/manifest}: the verifier, the newest
 * version, and the kept versions newest first, each with its UTC date, the name of its envelope object and its size.
 * Nothing else. Writing it (conditionally) is what commits a create or a replace.
 *
 * <pre>
 * {"verifier":"…base64…","version":3,
 *  "kept":[{"version":3,"written":"2026-12-03","object":"v3-…","bytes":262204},…]}
 * </pre>
 *
 * <p>An object is named relative to its backup's folder, and only names of the form {@code v<n>-<32 hex>} are read,
 * so a manifest can never point a read or a delete outside its own folder. JSON is read and written with Typesafe
 * Config in strict JSON syntax, which the module has anyway.
 */
record Manifest(Verifier verifier, List<Kept> kept) {

    private static final Pattern OBJECT = Pattern.compile("v[1-9][0-9]*-[0-9a-f]{32}");
    private static final ConfigParseOptions JSON = ConfigParseOptions.defaults()
            .setSyntax(ConfigSyntax.JSON).setAllowMissing(false);

    /** One kept version. */
    record Kept(long version, LocalDate written, String object, long bytes) {
    }

    Manifest {
        kept = List.copyOf(kept);
        if (kept.isEmpty() || kept.size() > BackupStore.KEPT_VERSIONS) {
            throw new IllegalArgumentException("a manifest keeps 1.." + BackupStore.KEPT_VERSIONS + " versions");
        }
        for (int i = 0; i < kept.size(); i++) {
            Kept one = kept.get(i);
            if (one.version() < 1 || one.bytes() < 0 || !OBJECT.matcher(one.object()).matches()
                    || (i > 0 && one.version() >= kept.get(i - 1).version())) {
                throw new IllegalArgumentException("a manifest's kept versions are distinct, newest first");
            }
        }
    }

    /** The first manifest of a backup. */
    static Manifest first(Verifier verifier, Kept version) {
        return new Manifest(verifier, List.of(version));
    }

    /** The newest version. */
    long version() {
        return kept.get(0).version();
    }

    /** The date the newest version was written (what the retention looks at). */
    LocalDate written() {
        return kept.get(0).written();
    }

    /** The kept version {@code version}, or the newest when empty. */
    Optional<Kept> find(OptionalLong version) {
        if (version.isEmpty()) {
            return Optional.of(kept.get(0));
        }
        return kept.stream().filter(k -> k.version() == version.getAsLong()).findFirst();
    }

    /** This manifest with {@code newest} added and the versions it pushes out dropped. */
    Manifest with(Kept newest) {
        List<Kept> next = new ArrayList<>();
        next.add(newest);
        kept.stream().filter(k -> k.version() > newest.version() - BackupStore.KEPT_VERSIONS).forEach(next::add);
        return new Manifest(verifier, next);
    }

    /** The versions this manifest keeps and {@code successor} no longer does. */
    List<Kept> droppedBy(Manifest successor) {
        return kept.stream().filter(k -> !successor.kept().contains(k)).toList();
    }

    byte[] toJson() {
        List<Map<String, Object>> versions = new ArrayList<>();
        for (Kept one : kept) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("version", one.version());
            entry.put("written", one.written().toString());
            entry.put("object", one.object());
            entry.put("bytes", one.bytes());
            versions.add(entry);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("verifier", Base64.getEncoder().encodeToString(verifier.bytes()));
        root.put("version", version());
        root.put("kept", versions);
        return ConfigValueFactory.fromMap(root).render(ConfigRenderOptions.concise())
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The manifest {@code json} spells; {@link IllegalArgumentException} (naming no value) when it is not one. */
    static Manifest parse(byte[] json) {
        try {
            Config root = ConfigFactory.parseString(new String(json, StandardCharsets.UTF_8), JSON);
            List<Kept> kept = new ArrayList<>();
            for (Config one : root.getConfigList("kept")) {
                kept.add(new Kept(one.getLong("version"), LocalDate.parse(one.getString("written")),
                        one.getString("object"), one.getLong("bytes")));
            }
            Manifest manifest = new Manifest(Verifier.ofHash(Base64.getDecoder().decode(root.getString("verifier"))),
                    kept);
            if (root.getLong("version") != manifest.version()) {
                throw new IllegalArgumentException("a manifest's version is its newest kept version");
            }
            return manifest;
        } catch (ConfigException | DateTimeException malformed) {
            throw new IllegalArgumentException("not a backup manifest", malformed);
        }
    }
}
