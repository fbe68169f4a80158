package dev.portico.gateway.servlet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.ProblemType;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.ProblemJson;
import dev.portico.gateway.testing.TestAuthenticator;
import dev.portico.gateway.testing.WebSocketPeers;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamResponseListener;
import org.eclipse.jetty.client.OutputStreamRequestContent;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link GatewayFilter} in front of an application servlet in real Jetty ee10 and Tomcat 11
 * servers: what a route matches is the gateway's (proxied, or refused with a problem), everything
 * else reaches the application untouched.
 */
class GatewayFilterTest {
  private static HttpClient client;
  private final Application application = new Application();
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
    if (upstream != null) {
      upstream.release();
    }
    if (server != null) {
      server.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  static Stream<Arguments> containersAndContextPaths() {
    return Stream.of(FilterContainer.values())
        .flatMap(container -> Stream.of(Arguments.of(container, ""), Arguments.of(container, "/ctx")));
  }

  /** The application's own servlet: echoes what it got, with a status and header of its own; records each request. */
  static final class Application extends HttpServlet {
    private static final long serialVersionUID = 1L;
    final transient List<String> received = new CopyOnWriteArrayList<>();

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
      String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
      String body = new String(request.getInputStream().readAllBytes(), UTF_8);
      received.add(request.getMethod() + " " + path);
      response.setStatus(path.startsWith("/app/") ? 201 : 404);
      response.setHeader("X-App", "own");
      response.setContentType("text/plain;charset=utf-8");
      response.getWriter().write("app got " + request.getMethod() + " " + path + ": " + body);
    }
  }

  private GatewayFilter mount(FilterContainer container, String contextPath, Gateway gateway) throws Exception {
    GatewayFilter filter = GatewayFilter.builder(gateway).shutdownGrace(Duration.ofSeconds(20)).build();
    server = container.start(contextPath, filter, application);
    return filter;
  }

  private Gateway apiGateway() {
    return Gateway.builder()
        .route("api", r -> r.path("/api/**").upstream(upstream.uri()))
        .route("secure", r -> r.path("/secure/**").authenticator(new TestAuthenticator()).upstream(upstream.uri()))
        .route("read", r -> r.path("/read/**").methods("GET").upstream(upstream.uri()))
        .build();
  }

  private ContentResponse get(String path) throws Exception {
    return client.newRequest(server.uri(path)).timeout(10, SECONDS).send();
  }

  @ParameterizedTest
  @MethodSource("containersAndContextPaths")
  void aMatchedRequestIsProxiedWithItsBodyStreamedBothWays(FilterContainer container, String contextPath)
      throws Exception {
    upstream = FakeUpstream.start(new Handler.Abstract.NonBlocking() {
      @Override
      public boolean handle(Request request, org.eclipse.jetty.server.Response response, Callback callback) {
        response.getHeaders().put("X-Echo-Path", request.getHttpURI().getPath())
            .put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        Content.copy(request, response, callback);
        return true;
      }
    });
    mount(container, contextPath, apiGateway());
    long size = 16L * 1024 * 1024;

    OutputStreamRequestContent upload = new OutputStreamRequestContent("application/octet-stream");
    InputStreamResponseListener download = new InputStreamResponseListener();
    client.newRequest(server.uri("/api/upload")).method(HttpMethod.POST).body(upload).send(download);
    CompletableFuture<Payload.Digest> sent = CompletableFuture.supplyAsync(() -> Payload.send(upload, size));

    Response response = download.get(30, SECONDS);
    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getHeaders().get("X-Echo-Path")).isEqualTo("/api/upload");
    // 16 MiB both ways: more than any buffer on the way holds, so it only completes streamed.
    assertThat(Payload.receive(download)).isEqualTo(sent.get(30, SECONDS));
    assertThat(application.received).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("containersAndContextPaths")
  void anUnmatchedRequestReachesTheApplicationWithItsBodyAndTheApplicationsAnswerIsUntouched(
      FilterContainer container, String contextPath) throws Exception {
    upstream = FakeUpstream.start();
    mount(container, contextPath, apiGateway());

    ContentResponse response = client.newRequest(server.uri("/app/orders?x=1")).method(HttpMethod.POST)
        .body(new StringRequestContent("text/plain", "order 7"))
        .timeout(10, SECONDS).send();

    assertThat(response.getStatus()).isEqualTo(201);
    assertThat(response.getHeaders().get("X-App")).isEqualTo("own");
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).startsWith("text/plain");
    assertThat(response.getHeaders().contains("X-Request-Id")).as("a gateway header").isFalse();
    assertThat(response.getContentAsString()).isEqualTo("app got POST /app/orders: order 7");
    // Not even the path a route shares a prefix with: /apix is not /api/**.
    assertThat(get("/apix").getContentAsString()).isEqualTo("app got GET /apix: ");
    assertThat(application.received).containsExactly("POST /app/orders", "GET /apix");
    assertThat(upstream.requestCount()).isZero();
  }

  @ParameterizedTest
  @EnumSource(FilterContainer.class)
  void aRefusedRequestIsTheGatewaysProblemAndNeverReachesTheApplication(FilterContainer container) throws Exception {
    upstream = FakeUpstream.start();
    mount(container, "/ctx", apiGateway());

    ProblemJson.assertProblem(get("/secure/data"), ProblemType.UNAUTHORIZED);
    // A path a route takes with another method is the gateway's too (405), not the application's.
    ContentResponse delete = client.newRequest(server.uri("/read/x")).method(HttpMethod.DELETE)
        .timeout(10, SECONDS).send();
    ProblemJson.assertProblem(delete, ProblemType.METHOD_NOT_ALLOWED);
    ContentResponse authorized = client.newRequest(server.uri("/secure/data"))
        .headers(h -> h.put("Authorization", "Test reader")).timeout(10, SECONDS).send();

    assertThat(authorized.getStatus()).isEqualTo(200);
    assertThat(upstream.requestCount()).isEqualTo(1);
    assertThat(application.received).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(FilterContainer.class)
  void aRequestRefusedBeforeRoutingIsAnsweredByTheGatewayEvenOnAnApplicationPath(FilterContainer container)
      throws Exception {
    upstream = FakeUpstream.start();
    mount(container, "/ctx", apiGateway());

    // Two Content-Types: the gateway could read it as one thing and a backend as another, on any path.
    RawClient.Response response = RawClient.exchange(server.port(), "POST /ctx/app/orders HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\nConnection: close\r\n\r\n{}");

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.body()).contains(ProblemType.BAD_REQUEST.type().toString());
    assertThat(application.received).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(FilterContainer.class)
  void shutdownFinishesTheExchangeInFlightTurnsNewRoutedOnesAwayAndStillPassesTheRestDown(FilterContainer container)
      throws Exception {
    upstream = FakeUpstream.start().hold();
    GatewayFilter filter = mount(container, "", apiGateway());
    CompletableFuture<ContentResponse> inFlight = new CompletableResponseListener(
        client.newRequest(server.uri("/api/slow")).timeout(20, SECONDS)).send();
    Await.until("the upstream holds the request", () -> upstream.inFlight() == 1);

    CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> {
      try {
        filter.shutdown(Duration.ofSeconds(20));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    Await.until("shutting down", () -> !filter.isReady());

    ProblemJson.assertProblem(get("/api/new"), ProblemType.SHUTTING_DOWN);
    assertThat(get("/app/still").getStatus()).as("the application's own endpoint").isEqualTo(201);
    upstream.release();
    assertThat(inFlight.get(10, SECONDS).getStatus()).isEqualTo(200);
    shutdown.get(10, SECONDS);
    assertThat(upstream.requestCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(FilterContainer.class)
  void reconfigureTakesAPathTheApplicationAnsweredBefore(FilterContainer container) throws Exception {
    upstream = FakeUpstream.start();
    GatewayFilter filter = mount(container, "", apiGateway());
    assertThat(get("/app/x").getStatus()).isEqualTo(201);

    filter.reconfigure(Gateway.builder().route("app", r -> r.path("/app/**").upstream(upstream.uri())).build());

    assertThat(get("/app/x").getStatus()).isEqualTo(200);
    assertThat(upstream.takeRequest(Duration.ofSeconds(10)).target()).isEqualTo("/app/x");
    assertThat(filter.explain("GET", "/app/x", HttpHeaders.empty()).routeId()).hasValue("app");
    assertThat(get("/api/x").getStatus()).as("a route the new configuration dropped").isEqualTo(404);
    assertThat(application.received).containsExactly("GET /app/x", "GET /api/x");
  }

  @ParameterizedTest
  @EnumSource(FilterContainer.class)
  void aWebSocketRouteIsProxiedThroughTheFilter(FilterContainer container) throws Exception {
    try (WebSocketPeers.EchoServer echo = new WebSocketPeers.EchoServer();
        WebSocketPeers.Client ws = new WebSocketPeers.Client()) {
      mount(container, "/ctx", Gateway.builder()
          .route("ws", r -> r.path("/ws/**").stripPrefix(1).upstream(echo.uri()).websocket())
          .build());

      CoreSession session = ws.connect("ws://127.0.0.1:" + server.port() + "/ctx/ws/echo", HttpFields.EMPTY)
          .get(10, SECONDS);
      ws.send(new Frame(OpCode.TEXT, "through the filter"));

      assertThat(ws.next().getPayloadAsUTF8()).isEqualTo("through the filter");
      session.close(CloseStatus.NORMAL, "bye", Callback.NOOP);
      assertThat(ws.closed.get(10, SECONDS).getCode()).isEqualTo(CloseStatus.NORMAL);
      assertThat(application.received).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(FilterContainer.class)
  void overHttp2AMatchedRequestIsProxiedAndAnUnmatchedOneReachesTheApplication(FilterContainer container)
      throws Exception {
    upstream = FakeUpstream.start();
    mount(container, "/ctx", apiGateway());
    HttpClient h2 = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
    h2.start();
    try {
      ContentResponse routed = h2.newRequest(server.uri("/api/x")).method(HttpMethod.POST)
          .body(new StringRequestContent("text/plain", "to the upstream")).timeout(10, SECONDS).send();
      ContentResponse own = h2.newRequest(server.uri("/app/orders")).method(HttpMethod.POST)
          .body(new StringRequestContent("text/plain", "to the application")).timeout(10, SECONDS).send();

      assertThat(routed.getStatus()).isEqualTo(200);
      assertThat(routed.getVersion()).isEqualTo(HttpVersion.HTTP_2);
      assertThat(upstream.takeRequest(Duration.ofSeconds(10)).bodyAsString()).isEqualTo("to the upstream");
      assertThat(own.getStatus()).isEqualTo(201);
      assertThat(own.getContentAsString()).isEqualTo("app got POST /app/orders: to the application");
      assertThat(application.received).containsExactly("POST /app/orders");
    } finally {
      h2.stop();
    }
  }

  @ParameterizedTest
  @EnumSource(FilterContainer.class)
  void theApplicationsOwnAsyncDispatchGoesThroughTheFilterToTheApplication(FilterContainer container)
      throws Exception {
    upstream = FakeUpstream.start();
    List<DispatcherType> dispatches = new CopyOnWriteArrayList<>();
    HttpServlet asyncApplication = new HttpServlet() {
      @Override
      protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        dispatches.add(request.getDispatcherType());
        if (request.getDispatcherType() == DispatcherType.REQUEST) {
          // Back through the filter chain as an ASYNC dispatch, to a path a route takes: the
          // gateway judged the client's request already; the application's own dispatch is its own.
          request.startAsync().dispatch("/api/internal");
          return;
        }
        response.setStatus(202);
        response.getWriter().write("dispatched to " + request.getRequestURI());
      }
    };
    server = container.start("", GatewayFilter.builder(apiGateway()).build(), asyncApplication, true);

    ContentResponse response = get("/app/async");

    assertThat(response.getStatus()).isEqualTo(202);
    assertThat(response.getContentAsString()).isEqualTo("dispatched to /api/internal");
    assertThat(dispatches).containsExactly(DispatcherType.REQUEST, DispatcherType.ASYNC);
    assertThat(upstream.requestCount()).isZero();
  }
}
