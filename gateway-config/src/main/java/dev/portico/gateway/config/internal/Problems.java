package dev.portico.gateway.config.internal;

import dev.portico.gateway.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/** The problems found so far in one file, in the order found. Not public API. */
public final class Problems {
  private final List<ConfigException.Problem> found = new ArrayList<>();

  /** Records a problem with the value at {@code position}, reached by {@code path}. */
  public void add(Position position, String path, String message) {
    found.add(new ConfigException.Problem(position.source(), position.line(), position.column(), path, message));
  }

  /** Whether any problem was recorded. */
  public boolean any() {
    return !found.isEmpty();
  }

  /**
   * Throws a {@link ConfigException} listing every problem, if there is one, in file order (the
   * order found for problems at the same place, and for those of the whole file, which come first).
   */
  public void throwIfAny() {
    if (!found.isEmpty()) {
      List<ConfigException.Problem> sorted = new ArrayList<>(found);
      sorted.sort(java.util.Comparator.comparingInt(ConfigException.Problem::line)
          .thenComparingInt(ConfigException.Problem::column));
      throw new ConfigException(sorted);
    }
  }
}
