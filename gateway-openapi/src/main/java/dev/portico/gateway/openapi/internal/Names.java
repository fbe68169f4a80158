package dev.portico.gateway.openapi.internal;

import java.util.Collection;

/** "Did you mean": the known name closest to a misspelt one. Not public API. */
final class Names {
  private Names() {}

  /** {@code " (did you mean 'x'?)"}, or the known names when none is close, or "" when there are none. */
  static String hint(String given, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(given, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    if (best == null) {
      return " (none are known)";
    }
    if (bestDistance <= Math.max(2, given.length() / 3)) {
      return " (did you mean '" + best + "'?)";
    }
    return " (known: " + String.join(", ", known.stream().sorted().toList()) + ")";
  }

  private static int distance(String a, String b) {
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
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
