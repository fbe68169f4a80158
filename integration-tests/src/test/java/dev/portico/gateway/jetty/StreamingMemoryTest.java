package dev.portico.gateway.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.testing.ForkedGateway;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.CRC32;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IteratingCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bodies stream: a 1 GiB upload and a 1 GiB download pass through a gateway whose JVM (forked, so
 * that only the gateway is measured) has a 128 MiB heap. Client and upstream run in this JVM and
 * make and check the bytes on the fly, 64 KiB at a time; nothing holds a whole body.
 */
class StreamingMemoryTest {
  private static final long SIZE = 1L << 30;
  private static final int CHUNK = 64 * 1024;
  private static final int MIB = 1024 * 1024;
  private static final long HEAP_LIMIT = 128L * MIB;
  /** What the gateway may still hold right after a collection; measured at about 11 MiB. */
  private static final long RETAINED_LIMIT = 32L * MIB;
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final List<String> GATEWAY_JVM = List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError");

  private FakeUpstream upstream;
  private ForkedGateway gateway;
  private HttpClient client;
  private final CompletableFuture<String> downloadSent = new CompletableFuture<>();

  @BeforeEach
  void start() throws Exception {
    upstream = FakeUpstream.start(new BulkUpstream());
    gateway = ForkedGateway.start(upstream.uri(), GATEWAY_JVM);
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

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void streamsA1GibUploadThroughA128MibHeap() throws Exception {
    GeneratedStream body = new GeneratedStream(SIZE);
    InputStreamRequestContent content = new InputStreamRequestContent("application/octet-stream", body, CHUNK) {
      @Override
      public long getLength() {
        return SIZE; // declared, so the whole way is Content-Length framed
      }
    };

    long start = System.nanoTime();
    ContentResponse response;
    try {
      response = client.newRequest(gateway.uri("/upload")).method("POST").body(content)
          .timeout(DEADLINE.toSeconds(), TimeUnit.SECONDS).send();
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("upload failed after " + body.count() + " bytes (" + gateway.state() + ")", e);
    }
    long nanos = System.nanoTime() - start;

    assertThat(response.getStatus()).as(gateway.state()).isEqualTo(200);
    assertThat(body.count()).isEqualTo(SIZE);
    assertThat(response.getContentAsString()).as("bytes and CRC32 the upstream received")
        .isEqualTo(SIZE + " " + body.crc());
    assertGatewayStayedWithinItsHeap("upload", nanos);
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void streamsA1GibDownloadThroughA128MibHeap() throws Exception {
    CRC32 crc = new CRC32();
    long[] count = new long[1];
    CompletableFuture<Result> done = new CompletableFuture<>();

    long start = System.nanoTime();
    Request request = client.newRequest(gateway.uri("/download"))
        .timeout(DEADLINE.toSeconds(), TimeUnit.SECONDS)
        .onResponseContent((response, buffer) -> {
          count[0] += buffer.remaining();
          crc.update(buffer);
        });
    request.send(done::complete);
    Result result = awaitWithin(done, DEADLINE.plusSeconds(10), "the download");
    long nanos = System.nanoTime() - start;

    assertThat(result.getFailure()).as("download failure after %d bytes (%s)", count[0], gateway.state()).isNull();
    assertThat(result.getResponse().getStatus()).isEqualTo(200);
    assertThat(result.getResponse().getHeaders().getLongField(HttpHeader.CONTENT_LENGTH)).isEqualTo(SIZE);
    assertThat(count[0]).isEqualTo(SIZE);
    assertThat(SIZE + " " + crc.getValue()).as("bytes and CRC32 received vs. sent by the upstream")
        .isEqualTo(awaitWithin(downloadSent, Duration.ofSeconds(10), "the upstream's checksum"));
    assertGatewayStayedWithinItsHeap("download", nanos);
  }

  private void assertGatewayStayedWithinItsHeap(String what, long nanos) throws Exception {
    assertThat(gateway.isAlive()).as("forked gateway still running after the " + what).isTrue();
    ForkedGateway.Report report = gateway.stop(Duration.ofSeconds(30));
    double seconds = nanos / 1e9;
    System.out.printf("%s of %d MiB through a -Xmx128m gateway: %.1f s, %.0f MiB/s;"
            + " gateway peak heap (sum of pool peaks) %.1f MiB, sampled max %.1f MiB, max after GC %.1f MiB,"
            + " direct buffers %d KiB, GC %d ms in %d collections (%s)%n",
        what, SIZE / MIB, seconds, SIZE / (double) MIB / seconds,
        report.number("PEAK_HEAP_BYTES") / (double) MIB, report.number("SAMPLED_MAX_HEAP_BYTES") / (double) MIB,
        report.number("MAX_HEAP_AFTER_GC_BYTES") / (double) MIB, report.number("PEAK_DIRECT_BYTES") / 1024,
        report.number("GC_MILLIS"), report.number("GC_COUNT"), report.values().get("GC"));
    assertThat(report.exitCode()).as("forked gateway exit code").isZero();
    assertThat(report.number("MAX_HEAP_BYTES")).isLessThanOrEqualTo(HEAP_LIMIT);
    assertThat(report.number("PEAK_HEAP_BYTES")).isLessThan(HEAP_LIMIT);
    // The heap bound alone only says "no OutOfMemoryError"; this says no body was even partly held.
    assertThat(report.number("MAX_HEAP_AFTER_GC_BYTES")).isLessThan(RETAINED_LIMIT);
  }

  private static <T> T awaitWithin(CompletableFuture<T> future, Duration deadline, String what) throws Exception {
    try {
      return future.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(what + " did not complete within " + deadline);
    }
  }

  /**
   * Fills {@code chunk} with the bytes at {@code index}: a fixed random pattern with the index
   * stamped in front, so that a chunk lost, repeated or reordered changes the checksum.
   */
  private static void generate(long index, byte[] chunk) {
    System.arraycopy(Pattern.BYTES, 0, chunk, 0, CHUNK);
    for (int i = 0; i < 8; i++) {
      chunk[i] = (byte) (index >>> (56 - 8 * i));
    }
  }

  private static final class Pattern {
    static final byte[] BYTES = new byte[CHUNK];

    static {
      new Random(42).nextBytes(BYTES);
    }
  }

  /** {@code size} generated bytes, made as they are read, with their count and CRC32. */
  private static final class GeneratedStream extends InputStream {
    private final long size;
    private final byte[] chunk = new byte[CHUNK];
    private final CRC32 crc = new CRC32();
    private long position;
    private long index;
    private int offset = CHUNK;

    GeneratedStream(long size) {
      this.size = size;
    }

    @Override
    public int read(byte[] into, int off, int len) {
      if (position >= size) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      if (offset == CHUNK) {
        generate(index++, chunk);
        offset = 0;
      }
      int n = (int) Math.min(Math.min(len, CHUNK - offset), size - position);
      System.arraycopy(chunk, offset, into, off, n);
      crc.update(into, off, n);
      offset += n;
      position += n;
      return n;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    long count() {
      return position;
    }

    long crc() {
      return crc.getValue();
    }
  }

  /**
   * The upstream: {@code POST} reads the body as it comes, discarding it, and answers its length
   * and CRC32; {@code GET} answers {@link #SIZE} generated bytes, writing one reused 64 KiB buffer
   * after the other as each write completes.
   */
  private final class BulkUpstream extends Handler.Abstract.NonBlocking {
    @Override
    public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback) {
      if ("POST".equals(request.getMethod())) {
        new Discarder(request, response, callback).run();
      } else {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, SIZE);
        new Generator(response, callback).iterate();
      }
      return true;
    }
  }

  private static final class Discarder implements Runnable {
    private final org.eclipse.jetty.server.Request request;
    private final Response response;
    private final Callback callback;
    private final CRC32 crc = new CRC32();
    private long count;

    Discarder(org.eclipse.jetty.server.Request request, Response response, Callback callback) {
      this.request = request;
      this.response = response;
      this.callback = callback;
    }

    @Override
    public void run() {
      while (true) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          request.demand(this);
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          callback.failed(chunk.getFailure());
          return;
        }
        ByteBuffer bytes = chunk.getByteBuffer();
        count += bytes.remaining();
        crc.update(bytes);
        chunk.release();
        if (chunk.isLast()) {
          response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
          Content.Sink.write(response, true, count + " " + crc.getValue(), callback);
          return;
        }
      }
    }
  }

  private final class Generator extends IteratingCallback {
    private final Response response;
    private final Callback callback;
    private final byte[] chunk = new byte[CHUNK];
    private final ByteBuffer buffer = ByteBuffer.wrap(chunk);
    private final CRC32 crc = new CRC32();
    private long sent;

    Generator(Response response, Callback callback) {
      this.response = response;
      this.callback = callback;
    }

    @Override
    protected Action process() {
      if (sent >= SIZE) {
        return Action.SUCCEEDED;
      }
      generate(sent / CHUNK, chunk);
      int n = (int) Math.min(CHUNK, SIZE - sent);
      crc.update(chunk, 0, n);
      sent += n;
      buffer.clear().limit(n);
      response.write(sent == SIZE, buffer, this);
      return Action.SCHEDULED;
    }

    @Override
    protected void onCompleteSuccess() {
      downloadSent.complete(sent + " " + crc.getValue());
      callback.succeeded();
    }

    @Override
    protected void onCompleteFailure(Throwable cause) {
      downloadSent.completeExceptionally(cause);
      callback.failed(cause);
    }
  }
}
