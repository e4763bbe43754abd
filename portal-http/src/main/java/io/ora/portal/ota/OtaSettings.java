package io.ora.portal.ota;

import com.typesafe.config.Config;
import io.ora.core.firmware.FirmwareKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code ora.ota} section (docs/configuration.md, "OTA").
 *
 * @param rootPublicKey      the firmware root key every root metadata chains from; without it OTA is not configured
 * @param downloadBaseUrl    where hubs reach this deployment's device HTTPS listener
 * @param maxArtifactBytes   the largest artifact taken
 * @param maxCheckBytes      the largest check or report payload read
 * @param maxDownloads       downloads one node serves at once
 * @param cacheDir           where each node keeps its verified copies of artifacts
 * @param refreshInterval    how often a node reloads the rollouts it answers checks from
 * @param sweepInterval      how often rollouts whose stage has soaked are advanced, and offers counted are written
 * @param outcomeRetention   how long an aborted rollout's outcome rows are kept
 */
public record OtaSettings(Optional<PublicKey> rootPublicKey, URI downloadBaseUrl, long maxArtifactBytes,
                          int maxCheckBytes, int maxDownloads, Path cacheDir, Duration refreshInterval,
                          Duration sweepInterval, Duration outcomeRetention) {

    /** Reads {@code ora.ota} from the node's config. */
    public static OtaSettings from(Config config) {
        Config ota = config.getConfig("ora.ota");
        String rootFile = ota.getString("root-public-key-file");
        Optional<PublicKey> root = Optional.empty();
        if (!rootFile.isBlank()) {
            try {
                root = Optional.of(FirmwareKeys.readPublic(Path.of(rootFile)));
            } catch (IOException e) {
                throw new UncheckedIOException("ora.ota.root-public-key-file cannot be read", e);
            }
        }
        String base = ota.getString("download-base-url");
        URI baseUrl = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        if (!"https".equals(baseUrl.getScheme()) || baseUrl.getHost() == null) {
            throw new IllegalArgumentException("ora.ota.download-base-url is an https:// URL");
        }
        // Created on the first download, not here: a node writes nothing to its home it does not need.
        Path cache = Path.of(ota.getString("cache-dir"));
        return new OtaSettings(root, baseUrl, ota.getBytes("max-artifact-bytes"),
                Math.toIntExact(ota.getBytes("max-check-bytes")), ota.getInt("max-downloads"), cache,
                ota.getDuration("refresh-interval"), ota.getDuration("sweep-interval"),
                ota.getDuration("outcome-retention"));
    }

    /** Where a hub downloads {@code release}'s artifact. */
    public String downloadUrl(java.util.UUID release) {
        return downloadBaseUrl + "/ota/v1/releases/" + release + "/artifact";
    }
}
