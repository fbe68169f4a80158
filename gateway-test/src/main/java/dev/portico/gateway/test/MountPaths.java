package dev.portico.gateway.test;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/** The checks of a context path and of a path to request, shared by the kit's servers. */
final class MountPaths {
  private MountPaths() {}

  /** Returns {@code contextPath} when it is {@code ""} or {@code /name} without a trailing slash. */
  static String contextPath(String contextPath) {
    requireNonNull(contextPath, "contextPath");
    if (!contextPath.isEmpty() && (!contextPath.startsWith("/") || contextPath.endsWith("/"))) {
      throw new IllegalArgumentException("contextPath: " + contextPath + " (expected: \"\" or /name, no trailing /)");
    }
    return contextPath;
  }

  /** Returns {@code pathAndQuery} (which must start with {@code /}) below {@code base}. */
  static URI below(URI base, String pathAndQuery) {
    requireNonNull(pathAndQuery, "pathAndQuery");
    if (!pathAndQuery.startsWith("/")) {
      throw new IllegalArgumentException("pathAndQuery: " + pathAndQuery + " (expected: starts with /)");
    }
    return URI.create(base + pathAndQuery);
  }
}
