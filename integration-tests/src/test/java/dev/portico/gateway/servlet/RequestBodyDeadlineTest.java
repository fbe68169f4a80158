package dev.portico.gateway.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Timeouts;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.Mounting;
import dev.portico.gateway.validation.JsonSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.DataFrame;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that sends its body a byte at a time, or stops, cannot hold the exchange (and an upstream
 * connection) beyond the route's request body timeout: the upstream request is aborted and the
 * client gets 408, on every mounting, whether the body streams upstream or a body policy buffers it.
 * Raw sockets send a head and part of the body, then nothing: the short configured deadline is what
 * ends the wait (RawClient reads until the server closes, failing after 10 s).
 */
class RequestBodyDeadlineTest {
  private static final Duration DEADLINE = Duration.ofMillis(600);
  private static final Mounting.Options NO_WEBSOCKET = Mounting.Options.DEFAULTS.withWebSocket(false);

  private FakeUpstream upstream;
  private Mounting.Running host;

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private void mount(Mounting mounting) throws Exception {
    upstream = FakeUpstream.start();
    Timeouts timeouts = Timeouts.DEFAULT.withRequestBody(DEADLINE);
    host = mounting.start(Gateway.builder()
        .route("streamed", r -> r.path("/s/**").timeouts(timeouts).upstream(upstream.uri()))
        .route("validated", r -> r.path("/v").timeouts(timeouts)
            .validate(v -> v.jsonSchema(JsonSchema.of("{\"type\": \"object\"}"))).upstream(upstream.uri()))
        .build(), NO_WEBSOCKET);
  }

  private RawClient.Response send(String path, String framing, String partialBody) throws Exception {
    return RawClient.exchange(host.port(), "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + framing + "\r\n" + partialBody);
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void streamedBodyThatStallsIsAnswered408AndTheUpstreamRequestAborted(Mounting mounting) throws Exception {
    mount(mounting);
    long start = System.nanoTime();

    RawClient.Response response = send("/s/x", "Content-Length: 100\r\n", "{");

    assertThat(response.status()).isEqualTo(408);
    assertThat(response.body()).contains("request-timeout");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(DEADLINE);
    Await.until("the upstream connection closed", () -> upstream.openConnections() == 0);
    assertThat(upstream.pollRequest()).as("complete requests the upstream received").isEmpty();
  }

  /**
   * The slow-body attack: a byte every 100 ms keeps the connection from ever being idle, yet the
   * exchange ends at the deadline. The writer waits on the response latch between bytes.
   */
  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void bodySentOneByteAtATimeIsCutOffAtTheDeadline(Mounting mounting) throws Exception {
    mount(mounting);
    CountDownLatch answered = new CountDownLatch(1);
    AtomicInteger dribbled = new AtomicInteger();
    String text;
    try (Socket socket = new Socket("127.0.0.1", host.port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("POST /s/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Thread writer = new Thread(() -> {
        try {
          while (!answered.await(100, TimeUnit.MILLISECONDS)) {
            out.write(' ');
            out.flush();
            dribbled.incrementAndGet();
          }
        } catch (IOException | InterruptedException e) {
          // the server closed the connection: the test reads what it answered
        }
      }, "dribbler");
      writer.start();
      text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      answered.countDown();
      writer.join(10_000);
    }

    assertThat(text).startsWith("HTTP/1.1 408").contains("request-timeout");
    assertThat(dribbled.get()).as("bytes dribbled before the answer").isGreaterThan(1);
    Await.until("the upstream connection closed", () -> upstream.openConnections() == 0);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  /** Over HTTP/2: a stream whose DATA stops after one byte is answered 408 on its own stream. */
  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void http2BodyThatStallsIsAnswered408(Mounting mounting) throws Exception {
    mount(mounting);
    HTTP2Client frames = new HTTP2Client();
    frames.start();
    try {
      Session session = frames.connect(new InetSocketAddress("127.0.0.1", host.port()), new Session.Listener() {})
          .get(10, TimeUnit.SECONDS);
      CompletableFuture<Integer> status = new CompletableFuture<>();
      MetaData.Request request = new MetaData.Request("POST", HttpURI.from("http://127.0.0.1:" + host.port() + "/s/x"),
          HttpVersion.HTTP_2, HttpFields.build().add(HttpHeader.CONTENT_TYPE, "application/json"), 100);
      Stream stream = session.newStream(new HeadersFrame(request, null, false), new Stream.Listener() {
        @Override
        public void onHeaders(Stream s, HeadersFrame frame) {
          if (frame.getMetaData() instanceof MetaData.Response response) {
            status.complete(response.getStatus());
          }
          s.demand();
        }

        @Override
        public void onDataAvailable(Stream s) {
          Stream.Data data = s.readData();
          if (data != null) {
            data.release();
          }
          if (data == null || !data.frame().isEndStream()) {
            s.demand();
          }
        }
      }).get(10, TimeUnit.SECONDS);
      stream.data(new DataFrame(stream.getId(), ByteBuffer.wrap(new byte[] {'{'}), false)).get(10, TimeUnit.SECONDS);

      assertThat(status.get(10, TimeUnit.SECONDS)).isEqualTo(408);
      Await.until("the upstream connection closed", () -> upstream.openConnections() == 0);
      assertThat(upstream.pollRequest()).isEmpty();
    } finally {
      frames.stop();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void chunkedBodyThatStallsIsAnswered408(Mounting mounting) throws Exception {
    mount(mounting);

    RawClient.Response response = send("/s/x", "Transfer-Encoding: chunked\r\n", "1\r\n{\r\n");

    assertThat(response.status()).isEqualTo(408);
    Await.until("the upstream connection closed", () -> upstream.openConnections() == 0);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  /**
   * An upstream that answers before it has read the body: its response has started towards the
   * client when the deadline passes, so the client gets a broken response (no last chunk, the
   * connection closed), never one that looks complete.
   */
  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void deadlineAfterTheResponseStartedBreaksTheClientResponse(Mounting mounting) throws Exception {
    CountDownLatch upstreamFailed = new CountDownLatch(1);
    upstream = FakeUpstream.start(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        response.setStatus(200);
        response.write(false, ByteBuffer.wrap("early ".getBytes(StandardCharsets.US_ASCII)), Callback.from(() ->
            Content.Source.consumeAll(request, Callback.from(callback::succeeded, x -> {
              upstreamFailed.countDown();
              callback.failed(x);
            })), callback::failed));
        return true;
      }
    });
    host = mounting.start(Gateway.builder()
        .route("streamed", r -> r.path("/s/**").requestBodyTimeout(DEADLINE).upstream(upstream.uri()))
        .build(), NO_WEBSOCKET);

    RawClient.Response response = send("/s/x", "Content-Length: 100\r\n", "{");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).contains("early ").doesNotEndWith("0\r\n\r\n");
    assertThat(upstreamFailed.await(10, TimeUnit.SECONDS)).as("the upstream saw its request body fail").isTrue();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void bodyThatABodyPolicyWaitsForIsAnswered408BeforeTheUpstream(Mounting mounting) throws Exception {
    mount(mounting);

    RawClient.Response response = send("/v", "Content-Length: 100\r\n", "{");

    assertThat(response.status()).isEqualTo(408);
    assertThat(response.body()).contains("request-timeout");
    assertThat(upstream.pollRequest()).isEmpty();
    assertThat(upstream.openConnections()).as("connections the upstream saw open").isZero();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void bodiesThatArriveInTimeAreForwarded(Mounting mounting) throws Exception {
    mount(mounting);

    RawClient.Response streamed = send("/s/x", "Content-Length: 2\r\nConnection: close\r\n", "{}");
    RawClient.Response validated = send("/v", "Content-Length: 2\r\nConnection: close\r\n", "{}");

    assertThat(streamed.status()).isEqualTo(200);
    assertThat(validated.status()).isEqualTo(200);
    assertThat(upstream.takeRequest().bodyAsString()).isEqualTo("{}");
    assertThat(upstream.takeRequest().bodyAsString()).isEqualTo("{}");
  }
}
