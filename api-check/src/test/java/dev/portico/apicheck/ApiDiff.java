package dev.portico.apicheck;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What changed between a committed API dump and the API the build just compiled: the lines only
 * the dump has (removed from the API) and the lines only the build has (added), each in its
 * list's order. Lines are whole declarations, so a changed signature is one removed and one added
 * line.
 */
record ApiDiff(List<String> removed, List<String> added) {
  /** Lines shown in a failure message before "and N more". */
  private static final int SHOWN = 200;

  ApiDiff {
    removed = List.copyOf(removed);
    added = List.copyOf(added);
  }

  static ApiDiff between(List<String> committed, List<String> built) {
    Set<String> before = new LinkedHashSet<>(committed);
    Set<String> after = new LinkedHashSet<>(built);
    List<String> removed = new ArrayList<>(before);
    removed.removeAll(after);
    List<String> added = new ArrayList<>(after);
    added.removeAll(before);
    return new ApiDiff(removed, added);
  }

  boolean isEmpty() {
    return removed.isEmpty() && added.isEmpty();
  }

  /** The diff as "- " and "+ " lines, removed first, at most {@value #SHOWN} of them. */
  String render() {
    List<String> lines = new ArrayList<>();
    removed.forEach(line -> lines.add("- " + line));
    added.forEach(line -> lines.add("+ " + line));
    StringBuilder text = new StringBuilder();
    lines.stream().limit(SHOWN).forEach(line -> text.append(line).append('\n'));
    if (lines.size() > SHOWN) {
      text.append("... and ").append(lines.size() - SHOWN).append(" more\n");
    }
    return text.toString();
  }
}
