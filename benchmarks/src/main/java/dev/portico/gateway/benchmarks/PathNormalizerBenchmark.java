package dev.portico.gateway.benchmarks;

import dev.portico.gateway.internal.routing.PathNormalizer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Path normalization: a path already clean (the fast path) and one with dot segments, {@code //} and escapes. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PathNormalizerBenchmark {

  private String clean = "/api/orders/12345/items";
  private String messy = "/api//orders/./12345/../12345/it%65ms";

  /** Both normalize to {@code /api/orders/12345/items}: neither measures a refusal. */
  @Setup
  public void check() {
    for (String path : new String[] {clean, messy}) {
      PathNormalizer.Result result = PathNormalizer.normalize(path);
      if (!result.isOk() || !result.path().equals(clean)) {
        throw new IllegalStateException(path + ": " + result);
      }
    }
  }

  @Benchmark
  public PathNormalizer.Result cleanPath() {
    return PathNormalizer.normalize(clean);
  }

  @Benchmark
  public PathNormalizer.Result pathNeedingNormalization() {
    return PathNormalizer.normalize(messy);
  }
}
