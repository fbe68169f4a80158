package dev.portico.gateway.observe;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * Where a running gateway's configuration came from and how its reloads went: the source (a file),
 * the version applied (its SHA-256 and when), how many changed versions were applied or refused, and
 * why the last one was refused. A file watch reports it (gateway-config's {@code ConfigWatch}); the
 * admin view shows it and observers are told of each reload.
 *
 * @param source where the configuration is read from, such as the file's path
 * @param sha256 the SHA-256 of the applied version's bytes, in hex
 * @param appliedAt when that version was applied
 * @param reloads how many changed versions were applied since the first (the first not counted)
 * @param failures how many changed versions were refused, the old configuration serving on
 * @param lastError why the last changed version was refused, with its positions
 *     ({@code gateway.yaml:3:5 routes[0].pth: unknown key 'pth'}); empty once a later one applied
 */
public record ConfigurationStatus(String source, String sha256, Instant appliedAt, long reloads, long failures,
    Optional<String> lastError) {

  /** Validates the components. */
  public ConfigurationStatus {
    requireNonNull(source, "source");
    requireNonNull(sha256, "sha256");
    requireNonNull(appliedAt, "appliedAt");
    requireNonNull(lastError, "lastError");
    if (reloads < 0 || failures < 0) {
      throw new IllegalArgumentException("reloads: " + reloads + ", failures: " + failures + " (expected: >= 0)");
    }
  }
}
