package dev.portico.gateway.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.testing.Await;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What each side sees when the other fails, and that streamed bodies are not held back. */
class StreamingFailuresTest {
  private FakeUpstream upstream;
  private GatewayServer host;
  private final List<AccessLogEntry> accessLog = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private void startGateway(Gateway.Builder builder) throws Exception {
    host = GatewayServer.builder().gateway(builder.accessLog(accessLog::add).build())
        .permissiveUris(true).hostAnswer().start();
  }

  @Test
  void upstreamDyingMidBodyBreaksTheClientResponseInsteadOfTruncatingIt() throws Exception {
    upstream = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put("Content-Type", "text/plain");
        // No Content-Length: chunked. Send a first chunk, then abort the connection.
        response.write(false, ByteBuffer.wrap("first part;".getBytes(StandardCharsets.UTF_8)),
            Callback.from(() -> callback.failed(new RuntimeException("upstream crashed")), callback::failed));
        return true;
      }
    });
    startGateway(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    RawClient.Response raw = RawClient.send(host.port(), "/api/stream");

    assertThat(raw.status()).isEqualTo(200);
    assertThat(raw.text()).contains("Transfer-Encoding: chunked").contains("first part;");
    // A complete chunked body ends with the zero-length chunk; a broken one must not.
    assertThat(raw.text()).doesNotEndWith("0\r\n\r\n");
    awaitAccessLog();
    assertThat(accessLog).singleElement().satisfies(e -> assertThat(e.outcome()).isEqualTo("upstream-abort"));
  }

  @Test
  void upstreamDyingMidBodyWithContentLengthLeavesTheClientShort() throws Exception {
    upstream = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put("Content-Length", 1000);
        response.write(false, ByteBuffer.wrap(new byte[100]),
            Callback.from(() -> callback.failed(new RuntimeException("upstream crashed")), callback::failed));
        return true;
      }
    });
    startGateway(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    CompletableFuture<Result> result = new CompletableFuture<>();
    host.client().newRequest(host.uri("/api/x")).timeout(10, TimeUnit.SECONDS).send(result::complete);

    assertThat(result.get(10, TimeUnit.SECONDS).isFailed()).isTrue();
  }

  @Test
  void serverSentEventsReachTheClientBeforeTheUpstreamFinishes() throws Exception {
    CountDownLatch clientSawFirstEvent = new CountDownLatch(1);
    upstream = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put("Content-Type", "text/event-stream");
        response.write(false, ByteBuffer.wrap("data: one\n\n".getBytes(StandardCharsets.UTF_8)), Callback.from(() ->
            CompletableFuture.runAsync(() -> {
              try {
                // The second event is only sent after the client has seen the first one.
                if (clientSawFirstEvent.await(10, TimeUnit.SECONDS)) {
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
    startGateway(Gateway.builder().route("events", r -> r.path("/events").upstream(upstream.uri())));

    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", host.port()));
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      while (!seen.toString().contains("data: one")) {
        int c = in.read();
        assertThat(c).as("stream ended before the first event").isNotNegative();
        seen.append((char) c);
      }
      assertThat(seen.toString()).doesNotContain("data: two");
      clientSawFirstEvent.countDown();
      String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(rest).contains("data: two");
    }
  }

  @Test
  void clientResetOfAnHttp2StreamAbortsTheUpstreamRequest() throws Exception {
    // A raw upstream: it sees the gateway close the connection as end-of-stream on its socket.
    CountDownLatch upstreamGotRequest = new CountDownLatch(1);
    CompletableFuture<Throwable> upstreamSawFailure = new CompletableFuture<>();
    java.net.ServerSocket rawUpstream = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(() -> {
      try (Socket s = rawUpstream.accept()) {
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
          int c = in.read();
          if (c < 0) {
            throw new java.io.EOFException("closed before the request head");
          }
          head.append((char) c);
        }
        upstreamGotRequest.countDown();
        int next = in.read();
        upstreamSawFailure.complete(new java.io.EOFException("connection closed, read returned " + next));
      } catch (java.io.IOException e) {
        upstreamSawFailure.complete(e);
      }
    });
    acceptor.setDaemon(true);
    acceptor.start();
    String upstreamUri = "http://127.0.0.1:" + rawUpstream.getLocalPort();
    Server h2cHost = new Server();
    HttpConfiguration config = new HttpConfiguration();
    ServerConnector connector = new ServerConnector(h2cHost, new HttpConnectionFactory(config),
        new HTTP2CServerConnectionFactory(config));
    connector.setHost("127.0.0.1");
    h2cHost.addConnector(connector);
    h2cHost.setHandler(JettyGatewayHandler.create(Gateway.builder().accessLog(accessLog::add)
        .route("api", r -> r.path("/api/**").upstream(upstreamUri)).build()));
    h2cHost.start();
    HttpClient h2Client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
    h2Client.start();
    try {
      org.eclipse.jetty.client.Request request = h2Client.newRequest("http://127.0.0.1:" + connector.getLocalPort()
          + "/api/wait");
      CompletableFuture<Result> result = new CompletableFuture<>();
      request.send(result::complete);
      assertThat(upstreamGotRequest.await(10, TimeUnit.SECONDS)).isTrue();

      request.abort(new Exception("client gave up"));

      assertThat(upstreamSawFailure.get(10, TimeUnit.SECONDS)).isNotNull();
      assertThat(result.get(10, TimeUnit.SECONDS).isFailed()).isTrue();
      awaitAccessLog();
      assertThat(accessLog).singleElement().satisfies(e -> assertThat(e.outcome()).isEqualTo("client-abort"));
    } finally {
      h2Client.stop();
      h2cHost.stop();
      rawUpstream.close();
    }
  }

  @Test
  void clientDisconnectMidUploadAbortsTheUpstreamRequest() throws Exception {
    CompletableFuture<Throwable> upstreamBodyFailed = new CompletableFuture<>();
    CountDownLatch upstreamGotBytes = new CountDownLatch(1);
    upstream = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        readUntilFailure(request, upstreamGotBytes, upstreamBodyFailed, callback);
        return true;
      }
    });
    startGateway(Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())));

    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", host.port()));
      socket.getOutputStream().write(("POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n"
          + "x".repeat(10_000)).getBytes(StandardCharsets.ISO_8859_1));
      assertThat(upstreamGotBytes.await(10, TimeUnit.SECONDS)).isTrue();
    }

    assertThat(upstreamBodyFailed.get(10, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void idleUpstreamDuringTheBodyAbortsTheClientResponse() throws Exception {
    upstream = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        // Headers and a first chunk, then silence.
        response.write(false, ByteBuffer.wrap("partial".getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
        return true;
      }
    });
    startGateway(Gateway.builder().route("api", r -> r.path("/api/**").idleTimeout(Duration.ofMillis(300))
        .upstream(upstream.uri())));

    CompletableFuture<Result> result = new CompletableFuture<>();
    host.client().newRequest(host.uri("/api/x")).timeout(10, TimeUnit.SECONDS).send(result::complete);

    Result done = result.get(10, TimeUnit.SECONDS);
    assertThat(done.isFailed()).isTrue();
    assertThat(done.getResponse().getStatus()).isEqualTo(200);
  }

  @Test
  void aStreamingUploadAndDownloadKeepTheirBytes() throws Exception {
    upstream = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        // Echo the body back as it arrives.
        Content.copy(request, response, callback);
        return true;
      }
    });
    startGateway(Gateway.builder().route("echo", r -> r.path("/echo").upstream(upstream.uri())));
    byte[] part = new byte[64 * 1024];
    for (int i = 0; i < part.length; i++) {
      part[i] = (byte) i;
    }
    int parts = 160;

    AsyncRequestContent content = new AsyncRequestContent("application/octet-stream");
    CompletableFuture<long[]> received = new CompletableFuture<>();
    long[] counters = new long[2];
    host.client().newRequest(host.uri("/echo")).method("POST").body(content).timeout(30, TimeUnit.SECONDS)
        .onResponseContent((response, buffer) -> {
          while (buffer.hasRemaining()) {
            counters[1] = counters[1] * 31 + buffer.get();
            counters[0]++;
          }
        })
        .send(result -> {
          if (result.isFailed()) {
            received.completeExceptionally(result.getFailure());
          } else {
            received.complete(counters);
          }
        });
    long expectedHash = 0;
    for (int p = 0; p < parts; p++) {
      CompletableFuture<Void> written = new CompletableFuture<>();
      content.write(ByteBuffer.wrap(part), Callback.from(() -> written.complete(null), written::completeExceptionally));
      written.get(10, TimeUnit.SECONDS);
      for (byte b : part) {
        expectedHash = expectedHash * 31 + b;
      }
    }
    content.close();

    long[] got = received.get(30, TimeUnit.SECONDS);
    assertThat(got[0]).isEqualTo((long) parts * part.length);
    assertThat(got[1]).isEqualTo(expectedHash);
  }

  private static void readUntilFailure(Request request, CountDownLatch gotBytes, CompletableFuture<Throwable> failed,
      Callback callback) {
    while (true) {
      Content.Chunk chunk = request.read();
      if (chunk == null) {
        request.demand(() -> readUntilFailure(request, gotBytes, failed, callback));
        return;
      }
      if (Content.Chunk.isFailure(chunk)) {
        failed.complete(chunk.getFailure());
        callback.failed(chunk.getFailure());
        return;
      }
      if (chunk.hasRemaining()) {
        gotBytes.countDown();
      }
      chunk.release();
      if (chunk.isLast()) {
        failed.completeExceptionally(new AssertionError("body completed although the client went away"));
        callback.succeeded();
        return;
      }
    }
  }

  private void awaitAccessLog() {
    Await.until("access log entry", () -> !accessLog.isEmpty());
  }
}
