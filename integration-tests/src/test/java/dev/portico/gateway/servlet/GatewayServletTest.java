package dev.portico.gateway.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.RawClient;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.OutputStreamRequestContent;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway mounted with {@link GatewayServlet} under the context path {@code /ctx} of a real
 * Jetty ee10 or Tomcat server, proxying to a real Jetty upstream.
 */
class GatewayServletTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String CONTEXT = "/ctx";

  private static HttpClient client;
  private FakeUpstream upstream;
  private ServletContainer.Running server;

  @BeforeAll
  static void startClient() throws Exception {
    client = new HttpClient();
    client.setFollowRedirects(false);
    client.start();
  }

  @AfterAll
  static void stopClient() throws Exception {
    client.stop();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** An upstream that echoes the request line and {@code X-Test} as headers, and streams the body back. */
  private void startEchoUpstream() throws Exception {
    upstream = FakeUpstream.start(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
        response.getHeaders()
            .put("X-Echo-Method", request.getMethod())
            .put("X-Echo-Path", request.getHttpURI().getPath())
            .put("X-Echo-Query", String.valueOf(request.getHttpURI().getQuery()))
            .put("X-Echo-Test", String.valueOf(request.getHeaders().get("X-Test")))
            .put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        Content.copy(request, response, callback);
        return true;
      }
    });
  }

  private void mount(ServletContainer container) throws Exception {
    Gateway gateway = Gateway.builder()
        .route("api", r -> r.path("/api/**").upstream(upstream.uri()))
        .build();
    server = container.start(CONTEXT, new GatewayServlet(gateway));
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void answersAWebSocketUpgradeWith501WhenTheContainerHasNoWebSocketSupport(ServletContainer container) throws Exception {
    startEchoUpstream();
    server = container.start(CONTEXT, new GatewayServlet(Gateway.builder()
        .route("ws", r -> r.path("/ws/**").upstream(upstream.uri()).websocket())
        .build()));

    dev.portico.gateway.test.RawClient.Response response = dev.portico.gateway.test.RawClient.exchange(
        server.port(), "GET " + CONTEXT + "/ws/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n");

    // Started without the container's Jakarta WebSocket support: the servlet says so instead of faking it.
    assertThat(response.status()).isEqualTo(501);
    assertThat(response.body()).contains("https://portico.dev/problems/websocket-unsupported");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void proxiesGetWithPathQueryAndHeaderIntact(ServletContainer container) throws Exception {
    startEchoUpstream();
    mount(container);

    ContentResponse response = client.newRequest(server.uri("/api/items%20x?q=%2F&flag"))
        .headers(h -> h.put("X-Test", "hello"))
        .timeout(10, SECONDS)
        .send();

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getHeaders().get("X-Echo-Method")).isEqualTo("GET");
    assertThat(response.getHeaders().get("X-Echo-Path")).isEqualTo("/api/items%20x");
    assertThat(response.getHeaders().get("X-Echo-Query")).isEqualTo("q=%2F&flag");
    assertThat(response.getHeaders().get("X-Echo-Test")).isEqualTo("hello");
    assertThat(response.getHeaders().get("X-Request-Id")).isNotBlank();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void headerValuesReachTheUpstreamExactlyAsSentOnAReusedConnection(ServletContainer container)
      throws Exception {
    upstream = FakeUpstream.start();
    mount(container);

    List<String> received = new ArrayList<>();
    for (String spelling : List.of("agent/no-cache", "agent/No-Cache", "agent/NO-CACHE")) {
      ContentResponse response = client.newRequest(server.uri("/api/x"))
          .headers(h -> h.put(HttpHeader.USER_AGENT, spelling)).timeout(10, SECONDS).send();
      assertThat(response.getStatus()).isEqualTo(200);
      received.add(upstream.takeRequest().header("User-Agent").orElse(null));
    }

    // Jetty's per-connection header cache ignores case unless told otherwise; the servlet tells it.
    assertThat(received).containsExactly("agent/no-cache", "agent/No-Cache", "agent/NO-CACHE");
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void streamsPostBodyToTheUpstreamAndBackIntact(ServletContainer container) throws Exception {
    startEchoUpstream();
    mount(container);
    long size = 16L * 1024 * 1024;

    OutputStreamRequestContent upload = new OutputStreamRequestContent("application/octet-stream");
    InputStreamResponseListener download = new InputStreamResponseListener();
    client.newRequest(server.uri("/api/upload")).method(HttpMethod.POST)
        .headers(h -> h.put("X-Test", "streamed"))
        .body(upload)
        .send(download);
    CompletableFuture<Payload.Digest> sent = CompletableFuture.supplyAsync(() -> Payload.send(upload, size));

    Response response = download.get(30, SECONDS);
    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getHeaders().get("X-Echo-Method")).isEqualTo("POST");
    assertThat(response.getHeaders().get("X-Echo-Path")).isEqualTo("/api/upload");
    assertThat(response.getHeaders().get("X-Echo-Test")).isEqualTo("streamed");
    assertThat(Payload.receive(download)).isEqualTo(sent.get(30, SECONDS));
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void answersNoRouteWith404Problem(ServletContainer container) throws Exception {
    upstream = FakeUpstream.start();
    mount(container);

    ContentResponse response = client.newRequest(server.uri("/elsewhere")).timeout(10, SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(404);
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/problem+json");
    JsonNode problem = JSON.readTree(response.getContentAsString());
    assertThat(problem.get("type").asString()).isEqualTo(ProblemType.NO_ROUTE.type().toString());
    assertThat(problem.get("status").asInt()).isEqualTo(404);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void dotSegmentTricksNeverReachTheUpstream(ServletContainer container) throws Exception {
    upstream = FakeUpstream.start();
    mount(container);

    // Tomcat hands all three to the servlet as sent; Jetty refuses the encoded and ';' forms itself.
    RawClient.Response resolved = RawClient.send(server.port(), CONTEXT + "/api/../admin");
    RawClient.Response encoded = RawClient.send(server.port(), CONTEXT + "/api/%2e%2e/admin");
    RawClient.Response parameter = RawClient.send(server.port(), CONTEXT + "/api/..;/admin");

    assertThat(resolved.status()).as("resolved to /admin, which no route takes").isEqualTo(404);
    assertThat(resolved.text()).contains(ProblemType.NO_ROUTE.type().toString());
    assertThat(encoded.status()).isEqualTo(400);
    assertThat(parameter.status()).isEqualTo(400);
    if (container == ServletContainer.TOMCAT) {
      assertThat(encoded.text()).contains(ProblemType.BAD_PATH.type().toString());
      assertThat(parameter.text()).contains(ProblemType.BAD_PATH.type().toString());
    }
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void upstreamDyingMidBodyBreaksTheChunkedClientResponse(ServletContainer container)
      throws Exception {
    upstream = FakeUpstream.start(dyingAfterFirstPart(null));
    mount(container);

    // Connection: close, so the container may not delimit the body by closing the connection.
    RawClient.Response raw = RawClient.send(server.port(), CONTEXT + "/api/stream");

    assertThat(raw.status()).isEqualTo(200);
    assertThat(raw.text()).containsIgnoringCase("Transfer-Encoding: chunked").contains("first part;");
    assertThat(raw.text()).as("no terminating chunk").doesNotEndWith("0\r\n\r\n");
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void upstreamDyingMidBodyLeavesTheContentLengthClientShort(ServletContainer container)
      throws Exception {
    upstream = FakeUpstream.start(dyingAfterFirstPart(1000L));
    mount(container);

    CompletableFuture<Result> done = new CompletableFuture<>();
    AtomicInteger received = new AtomicInteger();
    client.newRequest(server.uri("/api/stream"))
        .onResponseContent((r, content) -> received.addAndGet(content.remaining()))
        .timeout(10, SECONDS)
        .send(done::complete);
    Result result = done.get(15, SECONDS);

    assertThat(result.getResponse().getStatus()).isEqualTo(200);
    assertThat(result.isFailed()).as("client saw a broken response after %s bytes", received).isTrue();
    assertThat(result.getFailure()).isNotInstanceOf(java.util.concurrent.TimeoutException.class);
  }

  /** An upstream that sends a first part of its body, then breaks its connection. */
  private static Handler dyingAfterFirstPart(Long contentLength) {
    return new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
        if (contentLength != null) {
          response.getHeaders().put(HttpHeader.CONTENT_LENGTH, contentLength);
        }
        response.write(false, ByteBuffer.wrap("first part;".getBytes(UTF_8)),
            Callback.from(() -> callback.failed(new RuntimeException("upstream crashed")), callback::failed));
        return true;
      }
    };
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void clientDisconnectMidUploadAbortsTheUpstreamRequest(ServletContainer container)
      throws Exception {
    CountDownLatch upstreamGotBytes = new CountDownLatch(1);
    LinkedBlockingQueue<Throwable> upstreamBodyFailed = new LinkedBlockingQueue<>();
    upstream = FakeUpstream.start(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
        new Object() {
          void read() {
            while (true) {
              Content.Chunk chunk = request.read();
              if (chunk == null) {
                request.demand(this::read);
                return;
              }
              if (Content.Chunk.isFailure(chunk)) {
                upstreamBodyFailed.add(chunk.getFailure());
                callback.failed(chunk.getFailure());
                return;
              }
              if (chunk.hasRemaining()) {
                upstreamGotBytes.countDown();
              }
              chunk.release();
              if (chunk.isLast()) {
                callback.succeeded();
                return;
              }
            }
          }
        }.read();
        return true;
      }
    });
    mount(container);

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + CONTEXT + "/api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Length: 1000000\r\n\r\n").getBytes(UTF_8));
      out.write(new byte[32 * 1024]);
      out.flush();
      assertThat(upstreamGotBytes.await(10, SECONDS)).as("upstream got the first bytes").isTrue();
    }

    assertThat(upstreamBodyFailed.poll(10, SECONDS)).as("upstream request aborted").isNotNull();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void serverSentEventsReachTheClientBeforeTheUpstreamFinishes(ServletContainer container) throws Exception {
    CountDownLatch clientSawFirstEvent = new CountDownLatch(1);
    upstream = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        response.write(false, ByteBuffer.wrap("data: one\n\n".getBytes(UTF_8)), Callback.from(() ->
            CompletableFuture.runAsync(() -> {
              try {
                if (clientSawFirstEvent.await(10, SECONDS)) {
                  Content.Sink.write(response, true, "data: two\n\n", callback);
                } else {
                  callback.failed(new IllegalStateException("first event never reached the client"));
                }
              } catch (InterruptedException e) {
                callback.failed(e);
              }
            }), callback::failed));
        return true;
      }
    });
    mount(container);

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + CONTEXT + "/api/events HTTP/1.1\r\nHost: x\r\n"
          + "Connection: close\r\n\r\n").getBytes(UTF_8));
      java.io.InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      while (!seen.toString().contains("data: one")) {
        int c = in.read();
        assertThat(c).as("stream ended before the first event").isNotNegative();
        seen.append((char) c);
      }
      assertThat(seen.toString()).doesNotContain("data: two");
      clientSawFirstEvent.countDown();
      assertThat(new String(in.readAllBytes(), UTF_8)).contains("data: two");
    }
  }
}
