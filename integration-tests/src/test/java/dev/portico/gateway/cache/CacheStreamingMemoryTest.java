package dev.portico.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.testing.ForkedGateway;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A body too large to keep streams through a caching route without being held: 64 MiB, cacheable
 * by its headers but without a length (so the cap is found while streaming), twice through a
 * gateway whose JVM (forked, so that only the gateway is measured) has a 48 MiB heap; what the
 * gateway holds after a collection stays far below the body, and the second download is a miss.
 */
class CacheStreamingMemoryTest {
  private static final int MIB = 1024 * 1024;
  private static final int CHUNK = 64 * 1024;
  private static final long SIZE = 64L * MIB;
  /** What the gateway may still hold right after a collection (the streaming test measures about 11 MiB). */
  private static final long RETAINED_LIMIT = 32L * MIB;

  private FakeUpstream upstream;
  private ForkedGateway gateway;
  private HttpClient client;

  @BeforeEach
  void start() throws Exception {
    upstream = FakeUpstream.start().respondWith((recorded, request, response, callback) -> {
      response.getHeaders().put("Cache-Control", "public, max-age=600");
      write(response, new byte[CHUNK], (int) (SIZE / CHUNK), callback);
    });
    gateway = ForkedGateway.start(upstream.uri(), List.of("-Xmx48m", "-XX:+ExitOnOutOfMemoryError",
        "-Dportico.fork.cache=true"));
    client = new HttpClient();
    client.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.stop();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private static void write(Content.Sink sink, byte[] chunk, int left, Callback done) {
    sink.write(left == 1, ByteBuffer.wrap(chunk), Callback.from(() -> {
      if (left > 1) {
        write(sink, chunk, left - 1, done);
      } else {
        done.succeeded();
      }
    }, done::failed));
  }

  private String download() throws Exception {
    long[] count = new long[1];
    CompletableFuture<Result> done = new CompletableFuture<>();
    client.newRequest(gateway.uri("/big")).timeout(120, TimeUnit.SECONDS)
        .onResponseContent((response, buffer) -> count[0] += buffer.remaining())
        .send(done::complete);
    Result result = done.get(130, TimeUnit.SECONDS);
    assertThat(result.getFailure()).as("after %d bytes (%s)", count[0], gateway.state()).isNull();
    assertThat(count[0]).isEqualTo(SIZE);
    return result.getResponse().getHeaders().get("X-Cache");
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void a64MibBodyLargerThanTheEntryCapStreamsThroughAndIsNotKept() throws Exception {
    assertThat(download()).isEqualTo("MISS");
    assertThat(download()).as("too large to keep").isEqualTo("MISS");
    assertThat(upstream.requestCount()).isEqualTo(2);

    ForkedGateway.Report report = gateway.stop(Duration.ofSeconds(30));
    assertThat(report.exitCode()).as("forked gateway exit code").isZero();
    assertThat(report.number("MAX_HEAP_AFTER_GC_BYTES")).isLessThan(RETAINED_LIMIT);
  }
}
