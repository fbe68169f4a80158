package dev.portico.gateway.grpc;

import static dev.portico.gateway.grpc.GrpcBackend.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Timeouts;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.ratelimit.KeyResolver;
import dev.portico.gateway.ratelimit.bucket4j.Bucket4jRateLimiter;
import dev.portico.gateway.test.FakeIdentityProvider;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.observe.micrometer.MicrometerMetrics;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.Mounting;
import dev.portico.gateway.testing.TestCertificates;
import dev.portico.gateway.upstream.UpstreamGroup;
import dev.portico.gateway.upstream.UpstreamProtocol;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * gRPC through the gateway, with real grpc-java clients and servers: the four call kinds, statuses
 * and trailers, deadlines, an upstream that dies mid-stream, back-pressure, and the gateway's own
 * refusals as gRPC statuses; on the Jetty core handler (h2c, and h2 over TLS) and on the servlet
 * adapter in Jetty ee10 and Tomcat 11 (h2c).
 */
class GrpcProxyTest {
  private static final String SERVICE = "/grpc.testing.SimpleService/";
  private static final Metadata.Key<String> ECHO = Metadata.Key.of("x-echo", Metadata.ASCII_STRING_MARSHALLER);

  private GrpcBackend backend;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void startBackend() throws Exception {
    backend = GrpcBackend.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    backend.close();
  }

  private static Gateway.Builder grpcGateway(String upstreamUri) {
    return Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("grpc").endpoint(upstreamUri).protocol(UpstreamProtocol.HTTP_2).build());
  }

  private Gateway proxyAll() {
    return grpcGateway(backend.uri()).route("simple", r -> r.path(SERVICE + "*").upstreamGroup("grpc")).build();
  }

  private Mounting.Running mount(Mounting mounting, Gateway gateway) throws Exception {
    Mounting.Running running = mounting.start(gateway);
    closing.add(running);
    return running;
  }

  private ManagedChannel channel(int port) {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    closing.add(() -> channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    return channel;
  }

  private SimpleServiceGrpc.SimpleServiceBlockingStub blocking(Mounting mounting, Gateway gateway) throws Exception {
    return SimpleServiceGrpc.newBlockingStub(channel(mount(mounting, gateway).port()))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void unaryCallCarriesHeadersMessageAndTrailersBothWays(Mounting mounting) throws Exception {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    Metadata sent = new Metadata();
    sent.put(ECHO, "hello");
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking(mounting, proxyAll())
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(sent),
            MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));

    SimpleResponse response = stub.unaryRpc(request("ping"));

    assertThat(response.getResponseMessage()).isEqualTo("ping");
    assertThat(headers.get().get(ECHO)).isEqualTo("hello");
    assertThat(trailers.get().get(GrpcBackend.TRAILER)).as("the upstream's custom trailer").isEqualTo("done");
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void upstreamErrorStatusMessageAndTrailersReachTheClient(Mounting mounting) throws Exception {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking(mounting, proxyAll());

    assertThatThrownBy(() -> stub.unaryRpc(request("fail")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).isEqualTo("nothing here: 100%");
          assertThat(e.getTrailers().get(GrpcBackend.TRAILER)).isEqualTo("done");
        });
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void serverStreamingCallDeliversEveryMessageThenOk(Mounting mounting) throws Exception {
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking(mounting, proxyAll());

    Iterator<SimpleResponse> responses = stub.serverStreamingRpc(request("50x1000"));
    int count = 0;
    while (responses.hasNext()) {
      assertThat(responses.next().getResponseMessage()).hasSize(1000);
      count++;
    }

    assertThat(count).isEqualTo(50);
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void clientStreamingCallSendsEveryMessage(Mounting mounting) throws Exception {
    SimpleServiceGrpc.SimpleServiceStub stub = SimpleServiceGrpc.newStub(channel(mount(mounting, proxyAll()).port()))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    Collected collected = new Collected();

    StreamObserver<SimpleRequest> requests = stub.clientStreamingRpc(collected);
    for (int i = 0; i < 20; i++) {
      requests.onNext(request("m" + i));
    }
    requests.onCompleted();

    assertThat(collected.done.get(20, TimeUnit.SECONDS)).isEqualTo(Status.Code.OK);
    assertThat(collected.messages).hasSize(1);
    assertThat(collected.messages.peek()).startsWith("m0,m1,m2").endsWith(",m19");
  }

  // Tomcat: GrpcOnTomcatTest (its HTTP/2 overhead protection needs a setting for small messages).
  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET"})
  void bidirectionalCallEchoesEachMessageBeforeTheNextIsSent(Mounting mounting) throws Exception {
    SimpleServiceGrpc.SimpleServiceStub stub = SimpleServiceGrpc.newStub(channel(mount(mounting, proxyAll()).port()))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    Collected collected = new Collected();

    StreamObserver<SimpleRequest> requests = stub.bidiStreamingRpc(collected);
    for (int i = 0; i < 5; i++) {
      requests.onNext(request("m" + i));
      // Full duplex: the answer to this message arrives while the request stream is still open.
      assertThat(collected.messages.poll(20, TimeUnit.SECONDS)).isEqualTo("M" + i);
    }
    requests.onCompleted();

    assertThat(collected.done.get(20, TimeUnit.SECONDS)).isEqualTo(Status.Code.OK);
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void callWithoutARouteIsUnimplemented(Mounting mounting) throws Exception {
    Gateway gateway = grpcGateway(backend.uri())
        .route("other", r -> r.path("/grpc.testing.OtherService/*").upstreamGroup("grpc")).build();
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking(mounting, gateway);

    assertThatThrownBy(() -> stub.unaryRpc(request("ping")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void methodRouteWithJwtAndRateLimitAnswersUnauthenticatedThenResourceExhausted(Mounting mounting)
      throws Exception {
    FakeIdentityProvider idp = FakeIdentityProvider.start();
    closing.add(idp);
    JwtAuthenticator jwt = JwtAuthenticator.builder().jwksUri(idp.jwksUri()).issuer(idp.issuer()).build();
    closing.add(jwt);   // its key-fetching threads end with it
    // The unary method has its own route, with a token and a limit; the service's other methods do not.
    Gateway gateway = grpcGateway(backend.uri())
        .route("unary", r -> r.path(SERVICE + "UnaryRpc").upstreamGroup("grpc").authenticator(jwt)
            .rateLimiter(Bucket4jRateLimiter.perKey(2, Duration.ofMinutes(1), KeyResolver.clientIp())))
        .route("simple", r -> r.path(SERVICE + "*").upstreamGroup("grpc"))
        .build();
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking(mounting, gateway);

    assertThatThrownBy(() -> stub.unaryRpc(request("ping")))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
          assertThat(e.getTrailers().get(Metadata.Key.of("www-authenticate", Metadata.ASCII_STRING_MARSHALLER)))
              .startsWith("Bearer");
        });
    Metadata auth = new Metadata();
    auth.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + idp.token().sign());
    SimpleServiceGrpc.SimpleServiceBlockingStub authorized = stub.withInterceptors(
        MetadataUtils.newAttachHeadersInterceptor(auth));
    assertThat(authorized.unaryRpc(request("one")).getResponseMessage()).isEqualTo("one");
    assertThat(authorized.unaryRpc(request("two")).getResponseMessage()).isEqualTo("two");
    assertThatThrownBy(() -> authorized.unaryRpc(request("three")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    // The other methods of the service stay open.
    assertThat(stub.serverStreamingRpc(request("1x3")).next().getResponseMessage()).isEqualTo("ppp");
  }

  @Test
  void metricsCountCallsAndRefusalsByTheHttpStatusTheyStandFor() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Gateway gateway = grpcGateway(backend.uri())
        .route("unary", r -> r.path(SERVICE + "UnaryRpc").upstreamGroup("grpc")
            .rateLimiter(Bucket4jRateLimiter.perKey(1, Duration.ofMinutes(1), KeyResolver.clientIp())))
        .build();
    GatewayServer server = GatewayServer.builder()
        .handler(JettyGatewayHandler.builder(gateway).observer(MicrometerMetrics.create(registry)).build())
        .h2c(true).start();
    closing.add(server);
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = SimpleServiceGrpc.newBlockingStub(channel(server.port()))
        .withDeadlineAfter(20, TimeUnit.SECONDS);

    assertThat(stub.unaryRpc(request("one")).getResponseMessage()).isEqualTo("one");
    assertThatThrownBy(() -> stub.unaryRpc(request("two")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));

    // The refusal went out as HTTP 200 with grpc-status 8; the metrics record it as the 429 it is.
    Await.until("both exchanges recorded", () -> requests(registry, "unary") == 2);
    assertThat(registry.get("portico.requests").tags("route", "unary", "status", "2xx").timer().count()).isEqualTo(1);
    assertThat(registry.get("portico.requests").tags("route", "unary", "status", "4xx").timer().count()).isEqualTo(1);
  }

  private static long requests(SimpleMeterRegistry registry, String route) {
    return registry.find("portico.requests").tags("route", route).timers().stream()
        .mapToLong(io.micrometer.core.instrument.Timer::count).sum();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void upstreamDownIsUnavailable(Mounting mounting) throws Exception {
    Gateway gateway = proxyAll();
    backend.kill();
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = blocking(mounting, gateway);

    assertThatThrownBy(() -> stub.unaryRpc(request("ping")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void upstreamKilledMidStreamEndsTheCallWithAnErrorNeverOk(Mounting mounting) throws Exception {
    SimpleServiceGrpc.SimpleServiceStub stub = SimpleServiceGrpc.newStub(channel(mount(mounting, proxyAll()).port()))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    Collected collected = Collected.manual(1);

    // Many large messages, read one at a time: the stream is still open when the upstream dies.
    stub.serverStreamingRpc(request("10000x10000"), collected);
    backend.firstStreamed.get(20, TimeUnit.SECONDS);
    backend.kill();
    collected.requestAll();

    // The gateway ends the call with UNAVAILABLE in trailers; a client left holding half a message
    // when they come reports INTERNAL instead. Never OK.
    assertThat(collected.done.get(20, TimeUnit.SECONDS)).isIn(Status.Code.UNAVAILABLE, Status.Code.INTERNAL);
    assertThat(collected.messages.size()).isLessThan(10000);
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void slowClientStallsTheUpstreamInsteadOfFillingTheGatewaysMemory(Mounting mounting) throws Exception {
    SimpleServiceGrpc.SimpleServiceStub stub = SimpleServiceGrpc.newStub(channel(mount(mounting, proxyAll()).port()))
        .withDeadlineAfter(60, TimeUnit.SECONDS);
    Collected collected = Collected.manual(1);
    int count = 1600;
    int size = 32 * 1024;   // 50 MB in all

    stub.serverStreamingRpc(request(count + "x" + size), collected);
    // The client has asked for one message only: flow control must stop the upstream well before
    // it has sent everything, whatever buffers the gateway's two HTTP/2 legs hold meanwhile.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (backend.stalls.get() == 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      Thread.yield();
    }
    assertThat(backend.stalls.get()).as("the upstream found its stream not ready").isPositive();
    assertThat(backend.bytesAtFirstStall.get()).as("bytes the upstream sent before the first stall")
        .isLessThan(32L * 1024 * 1024);
    assertThat(collected.messages).hasSizeLessThanOrEqualTo(1);

    collected.requestAll();
    assertThat(collected.done.get(60, TimeUnit.SECONDS)).isEqualTo(Status.Code.OK);
    assertThat(collected.count.get()).isEqualTo(count);
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER_H2", "JETTY_SERVLET_H2", "TOMCAT_SERVLET_H2"})
  void grpcTimeoutBoundsTheWaitForTheUpstreamAsDeadlineExceeded(Mounting mounting) throws Exception {
    FakeUpstream held = FakeUpstream.startH2c().hold();
    closing.add(held);
    Mounting.Running running = mount(mounting, grpcGateway(held.uri())
        .route("simple", r -> r.path(SERVICE + "*").upstreamGroup("grpc")).build());

    // A raw HTTP/2 client: a grpc-java client would end the call at its own deadline first.
    ContentResponse response = grpcPost(running, "200m");

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getHeaders().get("content-type")).isEqualTo("application/grpc");
    assertThat(response.getHeaders().get("grpc-status")).isEqualTo("4");
    assertThat(response.getContent()).isEmpty();
    held.release();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER_H2", "JETTY_SERVLET_H2", "TOMCAT_SERVLET_H2"})
  void theRoutesShorterTimeoutWinsOverALongerGrpcTimeout(Mounting mounting) throws Exception {
    FakeUpstream held = FakeUpstream.startH2c().hold();
    closing.add(held);
    Mounting.Running running = mount(mounting, grpcGateway(held.uri())
        .route("simple", r -> r.path(SERVICE + "*").upstreamGroup("grpc")
            .timeouts(Timeouts.DEFAULT.withResponse(Duration.ofMillis(200))))
        .build());

    ContentResponse response = grpcPost(running, "60S");

    assertThat(response.getHeaders().get("grpc-status")).isEqualTo("4");
    assertThat(response.getHeaders().get("grpc-message")).isEqualTo("The upstream did not respond within 200 ms.");
    held.release();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER_H2", "JETTY_SERVLET_H2", "TOMCAT_SERVLET_H2"})
  void malformedGrpcTimeoutIsInvalidArgumentAndNotSentUpstream(Mounting mounting) throws Exception {
    FakeUpstream upstream = FakeUpstream.startH2c();
    closing.add(upstream);
    Mounting.Running running = mount(mounting, grpcGateway(upstream.uri())
        .route("simple", r -> r.path(SERVICE + "*").upstreamGroup("grpc")).build());

    for (String bad : new String[] {"123456789S", "10", "5x", "-1S", "1.5S"}) {
      ContentResponse response = grpcPost(running, bad);
      assertThat(response.getStatus()).as(bad).isEqualTo(200);
      assertThat(response.getHeaders().get("grpc-status")).as(bad).isEqualTo("3");
      assertThat(response.getHeaders().get("grpc-message")).as(bad).contains("grpc-timeout");
    }
    assertThat(upstream.requestCount()).isZero();
  }

  // Tomcat: GrpcOnTomcatTest (its HTTP/2 overhead protection needs a setting for small DATA frames).
  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER_H2", "JETTY_SERVLET_H2"})
  void teTrailersAndRequestTrailersReachAnHttp2UpstreamButTeNeverAnHttp11One(Mounting mounting) throws Exception {
    TrailerRecorder h2 = TrailerRecorder.start(true);
    TrailerRecorder h1 = TrailerRecorder.start(false);
    closing.add(h2);
    closing.add(h1);
    Mounting.Running running = mount(mounting, trailerGateway(h2, h1));

    assertTrailersRelayed(running.client(), running::uri, h2, h1);
  }

  /** A gateway with route {@code /h2/*} to {@code h2} over HTTP/2 and {@code /h1/*} to {@code h1} over HTTP/1.1. */
  static Gateway trailerGateway(TrailerRecorder h2, TrailerRecorder h1) {
    return Gateway.builder()
        .upstreamGroup(UpstreamGroup.builder("h2").endpoint(h2.uri()).protocol(UpstreamProtocol.HTTP_2).build())
        .route("h2", r -> r.path("/h2/*").upstreamGroup("h2"))
        .route("h1", r -> r.path("/h1/*").upstream(h1.uri()))
        .build();
  }

  /**
   * Sends a request with {@code te: trailers} and trailers over HTTP/2 ({@code client}) to both routes
   * of {@link #trailerGateway}, and checks what each upstream saw and the response trailer.
   */
  static void assertTrailersRelayed(org.eclipse.jetty.client.HttpClient client,
      java.util.function.Function<String, java.net.URI> uri, TrailerRecorder h2, TrailerRecorder h1) throws Exception {
    for (String path : new String[] {"/h2/x", "/h1/x"}) {
      ContentResponse response = client.newRequest(uri.apply(path)).method("POST")
          .headers(h -> h.put("te", "trailers"))
          .body(new BytesRequestContent("application/octet-stream", new byte[] {1, 2, 3}))
          .trailersSupplier(() -> HttpFields.build().put("x-request-trailer", "yes").put("authorization", "no"))
          .timeout(20, TimeUnit.SECONDS)
          .send();
      assertThat(response.getStatus()).as(path).isEqualTo(200);
      if (path.startsWith("/h2")) {
        assertThat(response.getTrailers().get("x-response-trailer")).as("response trailer").isEqualTo("relayed");
      }
    }

    HttpFields[] viaH2 = h2.seen.poll(20, TimeUnit.SECONDS);
    assertThat(viaH2[0].get("te")).isEqualTo("trailers");
    assertThat(viaH2[1].get("x-request-trailer")).isEqualTo("yes");
    assertThat(viaH2[1].get("authorization")).as("not a trailer field").isNull();
    assertThat(h1.seen.poll(20, TimeUnit.SECONDS)[0].get("te")).as("TE towards HTTP/1.1 stays hop-by-hop").isNull();
  }

  /** A Jetty upstream (h2c or HTTP/1.1) that records each request's headers and trailers, and answers with a trailer. */
  static final class TrailerRecorder implements AutoCloseable {
    final BlockingQueue<HttpFields[]> seen = new LinkedBlockingQueue<>();
    private final Server server = new Server();

    static TrailerRecorder start(boolean h2c) throws Exception {
      TrailerRecorder recorder = new TrailerRecorder();
      HttpConfiguration config = new HttpConfiguration();
      ServerConnector connector = h2c
          ? new ServerConnector(recorder.server, new HTTP2CServerConnectionFactory(config))
          : new ServerConnector(recorder.server, new HttpConnectionFactory(config));
      connector.setHost("127.0.0.1");
      recorder.server.addConnector(connector);
      recorder.server.setHandler(new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
          Content.Source.consumeAll(request, Callback.from(() -> {
            HttpFields trailers = request.getTrailers();
            recorder.seen.add(new HttpFields[] {request.getHeaders().asImmutable(),
                trailers == null ? HttpFields.EMPTY : trailers.asImmutable()});
            response.setTrailersSupplier(() -> HttpFields.build().put("x-response-trailer", "relayed"));
            response.write(true, BufferUtil.toBuffer("ok"), callback);
          }, callback::failed));
          return true;
        }
      });
      recorder.server.start();
      return recorder;
    }

    String uri() {
      return "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    public void close() throws Exception {
      server.stop();
    }
  }

  @Test
  void allFourCallKindsOverTlsH2OnTheJettyHandler() throws Exception {
    TestCertificates certificates = TestCertificates.create();
    GatewayServer server = GatewayServer.builder().gateway(proxyAll())
        .tls(certificates.serverIdentityFor("localhost"), new String(TestCertificates.PASSWORD)).start();
    closing.add(server);
    ManagedChannel channel = NettyChannelBuilder.forAddress("localhost", server.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(certificates.ca()).build()).build();
    closing.add(() -> channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    SimpleServiceGrpc.SimpleServiceBlockingStub stub = SimpleServiceGrpc.newBlockingStub(ClientInterceptors.intercept(
            channel, MetadataUtils.newCaptureMetadataInterceptor(new AtomicReference<>(), trailers)))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    SimpleServiceGrpc.SimpleServiceStub async = SimpleServiceGrpc.newStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);

    assertThat(stub.unaryRpc(request("over tls")).getResponseMessage()).isEqualTo("over tls");
    assertThat(trailers.get().get(GrpcBackend.TRAILER)).isEqualTo("done");
    Iterator<SimpleResponse> streamed = stub.serverStreamingRpc(request("3x2"));
    assertThat(streamed.next().getResponseMessage()).isEqualTo("pp");
    Collected clientStream = new Collected();
    StreamObserver<SimpleRequest> up = async.clientStreamingRpc(clientStream);
    up.onNext(request("a"));
    up.onNext(request("b"));
    up.onCompleted();
    assertThat(clientStream.done.get(20, TimeUnit.SECONDS)).isEqualTo(Status.Code.OK);
    assertThat(clientStream.messages.poll()).isEqualTo("a,b");
    Collected bidi = new Collected();
    StreamObserver<SimpleRequest> both = async.bidiStreamingRpc(bidi);
    both.onNext(request("x"));
    assertThat(bidi.messages.poll(20, TimeUnit.SECONDS)).isEqualTo("X");
    both.onCompleted();
    assertThat(bidi.done.get(20, TimeUnit.SECONDS)).isEqualTo(Status.Code.OK);
  }

  /** POSTs one empty gRPC message to UnaryRpc over HTTP/2 with {@code grpc-timeout: timeout}. */
  private static ContentResponse grpcPost(Mounting.Running running, String timeout) throws Exception {
    return running.client().newRequest(running.uri(SERVICE + "UnaryRpc")).method("POST")
        .version(HttpVersion.HTTP_2)
        .headers(h -> h.put("te", "trailers").put("grpc-timeout", timeout))
        .body(new BytesRequestContent("application/grpc", new byte[5]))
        .timeout(20, TimeUnit.SECONDS)
        .send();
  }

  /** What a call delivered, and how it ended; demand is automatic unless {@link #manual}. */
  static final class Collected implements ClientResponseObserver<SimpleRequest, SimpleResponse> {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final AtomicInteger count = new AtomicInteger();
    final CompletableFuture<Status.Code> done = new CompletableFuture<>();
    private int initial = -1;
    private volatile ClientCallStreamObserver<SimpleRequest> call;

    static Collected manual(int initial) {
      Collected c = new Collected();
      c.initial = initial;
      return c;
    }

    void requestAll() {
      call.request(Integer.MAX_VALUE);
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<SimpleRequest> requestStream) {
      call = requestStream;
      if (initial >= 0) {
        requestStream.disableAutoRequestWithInitial(initial);
      }
    }

    @Override
    public void onNext(SimpleResponse value) {
      count.incrementAndGet();
      if (messages.size() < 100) {
        messages.add(value.getResponseMessage());
      }
    }

    @Override
    public void onError(Throwable t) {
      done.complete(Status.fromThrowable(t).getCode());
    }

    @Override
    public void onCompleted() {
      done.complete(Status.Code.OK);
    }
  }
}
