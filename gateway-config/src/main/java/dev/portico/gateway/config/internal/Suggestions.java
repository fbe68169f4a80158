package dev.portico.gateway.config.internal;

import java.util.Collection;
import java.util.Optional;

/** Finds the known name a misspelled one was probably meant to be (Levenshtein distance). Not public API. */
public final class Suggestions {
  private Suggestions() {}

  /** The closest of {@code known} to {@code given}, if it is close enough to be a likely typo. */
  public static Optional<String> closest(String given, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = distance(given.toLowerCase(java.util.Locale.ROOT), candidate.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    int allowed = Math.max(2, given.length() / 3);
    return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
  }

  /** {@code " (did you mean 'x'?)"}, or the list of known names when none is close. */
  public static String hint(String given, Collection<String> known) {
    Optional<String> closest = closest(given, known);
    if (closest.isPresent()) {
      return " (did you mean '" + closest.get() + "'?)";
    }
    return known.isEmpty() ? "" : " (expected one of: " + String.join(", ", known) + ")";
  }

  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
