package dev.portico.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RawClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** A route's maximum request body: 413 for a declared length before any upstream call, and for chunked bodies at the limit. */
class RequestSizeLimitTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final int MAX = 1_000;

  private FakeUpstream upstream;
  private GatewayServer host;
  /** What the upstream saw of each request: "started", then "complete <bytes>" or "aborted". */
  private final BlockingQueue<String> upstreamSaw = new LinkedBlockingQueue<>();
  private final List<AccessLogEntry> accessLog = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    upstream = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        upstreamSaw.add("started");
        Content.Source.asString(request, StandardCharsets.UTF_8, org.eclipse.jetty.util.Promise.from(
            body -> {
              upstreamSaw.add("complete " + body.length());
              Content.Sink.write(response, true, "got " + body.length(), callback);
            },
            failure -> {
              upstreamSaw.add("aborted");
              callback.failed(failure);
            }));
        return true;
      }
    });
    host = GatewayServer.builder().gateway(Gateway.builder().accessLog(accessLog::add)
        .route("upload", r -> r.path("/upload/**").upstream(upstream.uri()).maxRequestBodySize(MAX))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  @AfterEach
  void stop() throws Exception {
    host.close();
    upstream.close();
  }

  private ContentResponse post(String body) throws Exception {
    return host.client().newRequest(host.uri("/upload/x")).method("POST")
        .body(new StringRequestContent("text/plain", body)).timeout(10, TimeUnit.SECONDS).send();
  }

  @Test
  void aDeclaredLengthOverTheLimitIs413BeforeAnyUpstreamCall() throws Exception {
    // Headers only: the gateway answers without waiting for a single byte of the body.
    RawClient.Response response = RawClient.exchange(host.port(), "POST /upload/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: text/plain\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.text()).contains("application/problem+json");
    assertThat(JSON.readTree(response.body()).get("type").asString())
        .isEqualTo("https://portico.dev/problems/payload-too-large");
    assertThat(upstream.pollRequest()).isEmpty();
    assertThat(upstreamSaw).isEmpty();
  }

  @Test
  void aDeclaredBodyOneByteOverTheLimitIsRefused() throws Exception {
    ContentResponse response = post("x".repeat(MAX + 1));

    assertThat(response.getStatus()).isEqualTo(413);
    assertThat(upstreamSaw).isEmpty();
  }

  @Test
  void aBodyAtTheLimitPasses() throws Exception {
    ContentResponse response = post("x".repeat(MAX));

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(upstreamSaw).containsExactly("started", "complete " + MAX);
  }

  @Test
  void aChunkedBodyIsCutOffAtTheLimitWith413AndTheUpstreamRequestAborted() throws Exception {
    AsyncRequestContent body = new AsyncRequestContent("text/plain");
    CompletableFuture<ContentResponse> response = new CompletableResponseListener(
        host.client().newRequest(host.uri("/upload/x")).method("POST").body(body).timeout(10, TimeUnit.SECONDS)).send();
    body.write(ByteBuffer.wrap("y".repeat(900).getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
    assertThat(upstreamSaw.poll(5, TimeUnit.SECONDS)).as("the first 900 bytes stream on").isEqualTo("started");

    body.write(ByteBuffer.wrap("y".repeat(900).getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
    // Jetty's client completes a response only once its request is complete too.
    body.close();
    ContentResponse answer = response.get(10, TimeUnit.SECONDS);

    assertThat(answer.getStatus()).isEqualTo(413);
    assertThat(JSON.readTree(answer.getContentAsString()).get("detail").asString()).contains(MAX + " bytes");
    assertThat(upstreamSaw.poll(5, TimeUnit.SECONDS)).as("the upstream request was aborted").isEqualTo("aborted");
    dev.portico.gateway.testing.Await.until("access log entry", () -> !accessLog.isEmpty());
    assertThat(accessLog).singleElement().satisfies(e -> {
      assertThat(e.status()).isEqualTo(413);
      assertThat(e.bytesIn()).isEqualTo(900);
    });
  }

  @Test
  void aChunkedBodyOverTheLimitInItsFirstChunkNeverReachesTheUpstream() throws Exception {
    AsyncRequestContent body = new AsyncRequestContent("text/plain");
    body.write(ByteBuffer.wrap("y".repeat(MAX + 500).getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
    body.close();

    ContentResponse answer = new CompletableResponseListener(host.client().newRequest(host.uri("/upload/x"))
        .method("POST").body(body).timeout(10, TimeUnit.SECONDS)).send().get(10, TimeUnit.SECONDS);

    assertThat(answer.getStatus()).isEqualTo(413);
    // The upstream request was aborted before its headers went out; give a stray one a moment to show up.
    assertThat(upstreamSaw.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void aChunkedBodyUnderTheLimitPasses() throws Exception {
    AsyncRequestContent body = new AsyncRequestContent("text/plain");
    CompletableFuture<ContentResponse> response = new CompletableResponseListener(
        host.client().newRequest(host.uri("/upload/x")).method("POST").body(body).timeout(10, TimeUnit.SECONDS)).send();
    for (int i = 0; i < 3; i++) {
      body.write(ByteBuffer.wrap("z".repeat(300).getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
    }
    body.close();

    assertThat(response.get(10, TimeUnit.SECONDS).getContentAsString()).isEqualTo("got 900");
    assertThat(upstreamSaw).containsExactly("started", "complete 900");
  }
}
