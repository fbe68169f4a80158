package dev.portico.gateway.internal.routing;

import org.jspecify.annotations.Nullable;

/** TEMPORARY placeholder until the routing branch lands. */
public final class PathNormalizer {
  private PathNormalizer() {}

  public static Result normalize(String rawPath) {
    if (!rawPath.startsWith("/") || rawPath.contains("%2F") || rawPath.contains("..") || rawPath.contains("//")) {
      return Result.rejected("ambiguous path");
    }
    return Result.ok(rawPath);
  }

  public static final class Result {
    private final @Nullable String path;
    private final @Nullable String reason;

    private Result(@Nullable String path, @Nullable String reason) {
      this.path = path;
      this.reason = reason;
    }

    public static Result ok(String path) {
      return new Result(path, null);
    }

    public static Result rejected(String reason) {
      return new Result(null, reason);
    }

    public boolean isOk() {
      return path != null;
    }

    public String path() {
      if (path == null) {
        throw new IllegalStateException("rejected");
      }
      return path;
    }

    public String reason() {
      if (reason == null) {
        throw new IllegalStateException("ok");
      }
      return reason;
    }
  }
}
