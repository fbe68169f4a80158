package dev.portico.gateway.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.test.RawClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.OutputStreamRequestContent;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Drives {@link ServletClientExchange} the way the engine does, from a servlet mounted in real Jetty
 * ee10 and Tomcat servers on ephemeral loopback ports.
 */
class ServletClientExchangeTest {
  private static final String CONTEXT = "/ctx";
  private static final int MIB = 1024 * 1024;

  private static HttpClient client;
  private static HttpClient h2Client;
  private ServletContainer.Running server;

  @BeforeAll
  static void startClient() throws Exception {
    client = new HttpClient();
    client.setFollowRedirects(false);
    client.start();
    h2Client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
    h2Client.start();
  }

  @AfterAll
  static void stopClient() throws Exception {
    client.stop();
    h2Client.stop();
  }

  @AfterEach
  void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  private ServletContainer.Running start(ServletContainer container,
      Consumer<ServletClientExchange> scenario) throws Exception {
    server = container.start(CONTEXT, new ExchangeServlet(scenario));
    return server;
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void echoesFiftyMebibytesStreamedBothWaysWithBoundedStack(ServletContainer container)
      throws Exception {
    AtomicInteger maxDepth = new AtomicInteger();
    start(container, exchange -> Echo.start(exchange, maxDepth, Runnable::run));

    echo(50L * MIB);

    // Callbacks that re-enter the exchange must not nest with the number of chunks: each of the
    // two drain loops (request body, response body) appears at most once on a stack, under the
    // first call from service().
    assertThat(maxDepth.get()).isBetween(1, 3);
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void echoesWhenAnotherThreadDrivesTheExchange(ServletContainer container) throws Exception {
    ExecutorService upstreamThread = Executors.newSingleThreadExecutor();
    try {
      start(container, exchange -> Echo.start(exchange, new AtomicInteger(), upstreamThread));

      echo(16L * MIB);
    } finally {
      upstreamThread.shutdownNow();
      assertThat(upstreamThread.awaitTermination(10, SECONDS)).isTrue();
    }
  }

  /** Posts {@code size} bytes streamed, and checks that the same bytes stream back. */
  private void echo(long size) throws Exception {
    OutputStreamRequestContent upload = new OutputStreamRequestContent("application/octet-stream");
    InputStreamResponseListener download = new InputStreamResponseListener();
    client.newRequest(server.uri("/echo")).method(HttpMethod.POST).body(upload).send(download);
    CompletableFuture<Payload.Digest> sent = CompletableFuture.supplyAsync(() -> Payload.send(upload, size));

    Response response = download.get(30, SECONDS);
    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(Payload.receive(download)).isEqualTo(sent.get(30, SECONDS));
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void writesDirectBuffersHandedOverByAnotherThread(ServletContainer container) throws Exception {
    int writes = 256;
    int size = 32 * 1024;
    byte[] block = new byte[size];
    new SplittableRandom(7).nextBytes(block);
    CRC32 expected = new CRC32();
    for (int i = 0; i < writes; i++) {
      expected.update(block);
    }
    ExecutorService upstreamThread = Executors.newSingleThreadExecutor();
    try {
      start(container, exchange -> {
        exchange.responseHead(200, HttpFields.EMPTY);
        ByteBuffer direct = ByteBuffer.allocateDirect(size);
        new Object() {
          int written;

          void next() {
            direct.clear().put(block).flip();
            boolean last = ++written == writes;
            exchange.write(last, direct, Callback.from(
                () -> upstreamThread.execute(last ? exchange::succeeded : this::next),
                exchange::failed));
          }
        }.next();
      });
      InputStreamResponseListener download = new InputStreamResponseListener();
      client.newRequest(server.uri("/produce")).send(download);

      assertThat(download.get(30, SECONDS).getStatus()).isEqualTo(200);
      assertThat(Payload.receive(download))
          .isEqualTo(new Payload.Digest((long) writes * size, expected.getValue()));
    } finally {
      upstreamThread.shutdownNow();
      assertThat(upstreamThread.awaitTermination(10, SECONDS)).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void sendsStatusAndRepeatedResponseHeaders(ServletContainer container) throws Exception {
    start(container, exchange -> {
      exchange.responseHead(201, HttpFields.build()
          .add("X-Multi", "a")
          .add(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8")
          .add("X-Multi", "b"));
      exchange.write(true, UTF_8.encode("created"), Callback.from(exchange::succeeded, exchange::failed));
    });

    ContentResponse response = client.GET(server.uri("/things"));

    assertThat(response.getStatus()).isEqualTo(201);
    assertThat(response.getHeaders().getValuesList("X-Multi")).containsExactly("a", "b");
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).startsWith("text/plain");
    assertThat(response.getContentAsString()).isEqualTo("created");
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void exposesRequestLineHeadersAddressesAndBodyPresence(ServletContainer container)
      throws Exception {
    start(container, exchange -> respond(exchange, String.join("\n",
        "method=" + exchange.method(),
        "authority=" + exchange.authority(),
        "remote=" + exchange.remoteAddress().getAddress() + " resolved=" + !exchange.remoteAddress().isUnresolved(),
        "localPort=" + exchange.localAddress().getPort(),
        "secure=" + exchange.isSecure(),
        "certificates=" + exchange.clientCertificates(),
        "length=" + exchange.contentLength(),
        "hasBody=" + exchange.hasBody(),
        "x-in=" + exchange.headers().getValuesList("X-In"))));

    ContentResponse post = client.newRequest(server.uri("/info"))
        .method(HttpMethod.POST)
        .headers(h -> h.add("X-In", "1").add("X-In", "2"))
        .body(new StringRequestContent("hello"))
        .send();
    ContentResponse get = client.GET(server.uri("/info"));

    assertThat(post.getContentAsString().lines()).containsExactly(
        "method=POST",
        "authority=127.0.0.1:" + server.port(),
        "remote=/127.0.0.1 resolved=true",
        "localPort=" + server.port(),
        "secure=false",
        "certificates=[]",
        "length=5",
        "hasBody=true",
        "x-in=[1, 2]");
    assertThat(get.getContentAsString().lines()).contains("method=GET", "length=-1", "hasBody=false");
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void reportsBodyPresenceOfHttp2Requests(ServletContainer container) throws Exception {
    start(container, exchange -> respond(exchange, String.join("\n",
        "length=" + exchange.contentLength(),
        "hasBody=" + exchange.hasBody())));

    ContentResponse get = h2Client.newRequest(server.uri("/info")).timeout(10, SECONDS).send();
    ContentResponse post = h2Client.newRequest(server.uri("/info")).method(HttpMethod.POST)
        .body(new StringRequestContent("hello")).timeout(10, SECONDS).send();

    assertThat(get.getVersion()).isEqualTo(HttpVersion.HTTP_2);
    // Neither declares a length for a GET whose headers end the stream; only Tomcat knows that
    // the body already ended (Jetty's input stream learns it on the first read), so Jetty's
    // answer errs on the side of a body.
    assertThat(get.getContentAsString().lines())
        .containsExactly("length=-1", "hasBody=" + (container == ServletContainer.JETTY));
    assertThat(post.getContentAsString().lines()).containsExactly("length=5", "hasBody=true");
  }

  /**
   * Without the discard, Tomcat resets such a stream with NO_ERROR after the response, and Jetty's
   * client failed about one exchange in sixty with {@code IOException: no_error} when the reset
   * overtook its own body; 300 exchanges make a pass by chance unlikely.
   */
  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void answersWithoutReadingSmallHttp2BodyReachTheClientWhole(ServletContainer container)
      throws Exception {
    Semaphore completed = new Semaphore(0);
    server = container.start(CONTEXT,
        new ExchangeServlet(exchange -> respond(exchange, "denied"), completed::release));

    for (int i = 0; i < 300; i++) {
      ContentResponse response = h2Client.newRequest(server.uri("/upload"))
          .method(HttpMethod.POST).body(new BytesRequestContent(new byte[1024]))
          .timeout(10, SECONDS).send();
      assertThat(response.getContentAsString()).as("exchange %s", i).isEqualTo("denied");
    }
    assertThat(completed.tryAcquire(300, 10, SECONDS)).as("every exchange completed").isTrue();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void answerToHttp2BodyThatAwaitsContinueCompletesWithoutWaitingForIt(
      ServletContainer container) throws Exception {
    CountDownLatch completed = new CountDownLatch(1);
    server = container.start(CONTEXT,
        new ExchangeServlet(exchange -> respond(exchange, "denied"), completed::countDown));
    HTTP2Client frames = new HTTP2Client();
    frames.start();
    try {
      Session session = frames.connect(new InetSocketAddress("127.0.0.1", server.port()),
          new Session.Listener() {}).get(10, SECONDS);
      CompletableFuture<Integer> status = new CompletableFuture<>();
      // Headers that announce a body and wait for 100 Continue; the body never follows.
      MetaData.Request request = new MetaData.Request("POST",
          HttpURI.from(server.uri("/upload")), HttpVersion.HTTP_2,
          HttpFields.build().add(HttpHeader.EXPECT, "100-continue"), 1024);
      session.newStream(new HeadersFrame(request, null, false), new Stream.Listener() {
        @Override
        public void onHeaders(Stream stream, HeadersFrame frame) {
          // Tomcat sends 100 Continue at once; wait for the final answer.
          if (frame.getMetaData() instanceof MetaData.Response response
              && response.getStatus() >= 200) {
            status.complete(response.getStatus());
          }
          stream.demand();
        }
      }).get(10, SECONDS);

      assertThat(status.get(10, SECONDS)).isEqualTo(200);
      // A discard would wait for a body that never comes, until the container's read timeout.
      assertThat(completed.await(5, SECONDS)).as("container completed the exchange").isTrue();
    } finally {
      frames.stop();
    }
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void abortsHttp2StreamWhenFailedAfterCommit(ServletContainer container) throws Exception {
    start(container, exchange -> failAfterPartialBody(exchange, HttpFields.EMPTY));

    Outcome outcome = fetch(h2Client, "/broken");

    assertThat(outcome.status()).as("head was sent").isEqualTo(200);
    assertThat(outcome.result().isFailed()).as("client saw a broken stream, body %s bytes",
        outcome.bodyBytes()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void abortsChunkedResponseWhenFailedAfterCommit(ServletContainer container) throws Exception {
    start(container, exchange -> failAfterPartialBody(exchange, HttpFields.EMPTY));

    Outcome outcome = fetch("/broken");

    assertThat(outcome.status()).as("head was sent").isEqualTo(200);
    assertThat(outcome.result().isFailed()).as("client saw a broken response, body %s bytes",
        outcome.bodyBytes()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void abortedBodyLooksBrokenEvenWhenTheClientAsksToClose(ServletContainer container)
      throws Exception {
    start(container, exchange -> failAfterPartialBody(exchange, HttpFields.EMPTY));

    // With Connection: close a server may delimit the body by closing the connection, and then an
    // abort reads as a complete body; the body must stay chunked.
    RawClient.Response raw = RawClient.send(server.port(), CONTEXT + "/broken");

    assertThat(raw.status()).isEqualTo(200);
    assertThat(raw.text()).containsIgnoringCase("Transfer-Encoding: chunked");
    assertThat(raw.text()).doesNotEndWith("0\r\n\r\n");
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void abortsContentLengthResponseWhenFailedAfterCommit(ServletContainer container)
      throws Exception {
    start(container, exchange -> failAfterPartialBody(exchange,
        HttpFields.build().add(HttpHeader.CONTENT_LENGTH, "100000")));

    Outcome outcome = fetch("/broken");

    assertThat(outcome.status()).as("head was sent").isEqualTo(200);
    assertThat(outcome.result().isFailed()).as("client saw a broken response, body %s bytes",
        outcome.bodyBytes()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void abortsUncommittedResponseWhenFailed(ServletContainer container) throws Exception {
    start(container, exchange -> {
      exchange.responseHead(200, HttpFields.EMPTY);
      exchange.failed(new IOException("upstream refused"));
    });

    Outcome outcome = fetch("/broken");

    assertThat(outcome.result().isFailed()).as("no response, got status %s", outcome.status())
        .isTrue();
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void completesChunkedResponseWhenSucceededAfterPartialBody(ServletContainer container)
      throws Exception {
    start(container, exchange -> {
      exchange.responseHead(200, HttpFields.EMPTY);
      exchange.write(false, ByteBuffer.wrap(new byte[1000]), Callback.from(
          () -> exchange.write(true, ByteBuffer.wrap(new byte[24]),
              Callback.from(exchange::succeeded, exchange::failed)),
          exchange::failed));
    });

    Outcome outcome = fetch("/fine");

    assertThat(outcome.result().isSucceeded()).isTrue();
    assertThat(outcome.bodyBytes()).isEqualTo(1024);
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void aBodyWithoutLengthIsFramedOnceAndEndsProperly(ServletContainer container)
      throws Exception {
    start(container, exchange -> {
      exchange.responseHead(200, HttpFields.build().add("Server", "upstream/1.0"));
      exchange.write(true, UTF_8.encode("whole body"), Callback.from(exchange::succeeded, exchange::failed));
    });

    for (String connection : List.of("keep-alive", "close")) {
      // A second request on the same connection: a kept-alive response must end where it says.
      RawClient.Response raw = RawClient.exchange(server.port(),
          "GET " + CONTEXT + "/whole HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: " + connection
              + "\r\n\r\nGET " + CONTEXT + "/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      String head = raw.text().substring(0, raw.text().indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT);
      assertThat(raw.status()).isEqualTo(200);
      assertThat(head).containsOnlyOnce("server:").contains("server: upstream/1.0");
      assertThat(head.contains("transfer-encoding:") ^ head.contains("content-length:"))
          .as("exactly one framing header in %s", head).isTrue();
      assertThat(head).doesNotContain("chunked, chunked");
      assertThat(raw.text()).contains("whole body");
      int responses = raw.text().split("HTTP/1.1 200", -1).length - 1;
      assertThat(responses).as("responses on the connection").isEqualTo(connection.equals("close") ? 1 : 2);
    }
  }

  private static void failAfterPartialBody(ServletClientExchange exchange, HttpFields head) {
    exchange.responseHead(200, head);
    // The engine learns of upstream failures on a client thread, not a container thread.
    exchange.write(false, ByteBuffer.wrap(new byte[1000]), Callback.from(
        () -> CompletableFuture.runAsync(
            () -> exchange.failed(new IOException("upstream broke mid-body"))),
        exchange::failed));
  }

  private record Outcome(Result result, int status, int bodyBytes) {}

  private Outcome fetch(String path) throws Exception {
    return fetch(client, path);
  }

  private Outcome fetch(HttpClient client, String path) throws Exception {
    CompletableFuture<Result> done = new CompletableFuture<>();
    AtomicInteger status = new AtomicInteger(-1);
    AtomicInteger bytes = new AtomicInteger();
    client.newRequest(server.uri(path))
        .onResponseHeaders(r -> status.set(r.getStatus()))
        .onResponseContent((r, content) -> bytes.addAndGet(content.remaining()))
        .send(done::complete);
    Result result = done.get(15, SECONDS);
    return new Outcome(result, status.get(), bytes.get());
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void firesClientFailureOnceWhenClientDisconnectsMidUpload(ServletContainer container)
      throws Exception {
    CountDownLatch bytesArrived = new CountDownLatch(1);
    CompletableFuture<Throwable> clientFailure = new CompletableFuture<>();
    CompletableFuture<Throwable> bodyFailure = new CompletableFuture<>();
    AtomicInteger notifications = new AtomicInteger();
    start(container, exchange -> {
      exchange.onClientFailure(failure -> {
        notifications.incrementAndGet();
        clientFailure.complete(failure);
      });
      new Object() {
        void drain() {
          while (true) {
            Content.Chunk chunk = exchange.body().read();
            if (chunk == null) {
              exchange.body().demand(this::drain);
              return;
            }
            if (Content.Chunk.isFailure(chunk)) {
              bodyFailure.complete(chunk.getFailure());
              exchange.failed(chunk.getFailure());
              return;
            }
            if (chunk.hasRemaining()) {
              bytesArrived.countDown();
            }
            chunk.release();
            if (chunk.isLast()) {
              bodyFailure.completeExceptionally(new AssertionError("body ended normally"));
              exchange.succeeded();
              return;
            }
          }
        }
      }.drain();
    });

    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + CONTEXT + "/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n")
          .getBytes(UTF_8));
      out.write(new byte[16 * 1024]);
      out.flush();
      assertThat(bytesArrived.await(10, SECONDS)).as("first body bytes read").isTrue();
    }

    assertThat(clientFailure.get(10, SECONDS)).isNotNull();
    assertThat(bodyFailure.get(10, SECONDS)).isNotNull();
    assertThat(notifications.get()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void rawPathAndQueryAreRelativeToContextAndStillEncoded(ServletContainer container)
      throws Exception {
    start(container, ServletClientExchangeTest::echoTarget);

    RawClient.Response response = RawClient.send(server.port(), CONTEXT + "/a%20b/c?x=%2F&y");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("/a%20b/c\nx=%2F&y");
  }

  private static void echoTarget(ServletClientExchange exchange) {
    respond(exchange, exchange.rawPath() + "\n" + exchange.rawQuery());
  }

  private static void respond(ServletClientExchange exchange, String text) {
    ByteBuffer body = UTF_8.encode(text);
    exchange.responseHead(200, HttpFields.build()
        .add(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8")
        .add(HttpHeader.CONTENT_LENGTH, body.remaining()));
    exchange.write(true, body, Callback.from(exchange::succeeded, exchange::failed));
  }

  /** Odd targets: each is either refused by the container or reaches us exactly as sent. */
  @ParameterizedTest
  @EnumSource(ServletContainer.class)
  void oddTargetsArriveRawOrAreRefusedByTheContainer(ServletContainer container) throws Exception {
    start(container, ServletClientExchangeTest::echoTarget);
    List<String[]> cases = List.of(
        new String[] {CONTEXT + "/a%2Fb", "/a%2Fb"},
        new String[] {CONTEXT + "/a%2fb", "/a%2fb"},
        new String[] {CONTEXT + "/a/../b", "/a/../b"},
        new String[] {CONTEXT + "/a/%2e%2e/b", "/a/%2e%2e/b"},
        new String[] {CONTEXT + "/a/./b", "/a/./b"},
        new String[] {CONTEXT + "//a", "//a"},
        new String[] {CONTEXT + "/a;p=1/b", "/a;p=1/b"},
        new String[] {CONTEXT + "/a%25b", "/a%25b"},
        new String[] {CONTEXT + "/%7Euser", "/%7Euser"},
        new String[] {CONTEXT + "/a%5Cb", "/a%5Cb"},
        new String[] {CONTEXT + "/caf%C3%A9", "/caf%C3%A9"},
        new String[] {CONTEXT + "/bad%zz", "/bad%zz"},
        new String[] {CONTEXT + "/a%00b", "/a%00b"},
        new String[] {CONTEXT + "?q", "/"},
        new String[] {"/c%74x/a", "/a"},
        new String[] {CONTEXT + ";v=1/a", "/a"},
        new String[] {CONTEXT + "/a?", "/a"});
    StringBuilder observed = new StringBuilder();
    for (String[] c : cases) {
      RawClient.Response response = RawClient.send(server.port(), c[0]);
      String path = response.body().lines().findFirst().orElse("");
      observed.append(String.format("%s %-22s -> %d %s%n", container, c[0], response.status(),
          response.status() == 200 ? response.body().replace("\n", " ? ") : ""));
      if (response.status() == 200) {
        assertThat(path).as("raw path of %s", c[0]).isEqualTo(c[1]);
      } else {
        // Refused (400), not routed to the servlet (404), or redirected to the context root.
        assertThat(response.status()).as("%s", c[0]).isIn(301, 302, 400, 404);
      }
    }
    System.out.print(observed);
  }
}
