package dev.portico.gateway.test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.GatewayRequest;
import dev.portico.gateway.auth.IdentityForwarding;
import dev.portico.gateway.auth.jwt.JwtAuthenticator;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The suite's checks can fail: run against gateways that are broken on purpose, through the JUnit
 * Platform launcher, the rows that should catch them fail and the controls still pass.
 */
class ConformanceSuiteFailsOnBrokenGatewaysTest {

  /** The "protected" route has no authenticator: every request reaches the upstream. */
  static final class OpenProtectedRoute extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      GatewayServer server = GatewayServer.start(Gateway.builder()
          .route("public", r -> r.path("/public/**").upstream(fixtures.publicUpstreamUri()))
          .route("admin", r -> r.path("/admin/**").permitAll().upstream(fixtures.protectedUpstreamUri()))
          .build());
      return JettyHandlerConformanceTest.target().baseUri(server.baseUri()).closeAfter(server).build();
    }
  }

  /** The JWT route checks no audience (the host forgot to configure one). */
  static final class NoAudienceCheck extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = JwtAuthenticator.builder().issuer(fixtures.identityProvider().issuer()).build();
      GatewayServer server = GatewayServer.start(JettyHandlerConformanceTest.gateway(jwt, fixtures));
      return JettyHandlerConformanceTest.target().baseUri(server.baseUri()).closeAfter(jwt, server).build();
    }
  }

  /**
   * The host passes WebSocket upgrades straight to the protected upstream, unchecked and
   * unauthenticated, in front of a correct gateway: a proxy that opens the upstream's side of a
   * handshake it never validated (what the Jetty core adapter did for a missing key).
   */
  static final class PassesUpgradesThrough extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      URI upstream = URI.create(fixtures.protectedUpstreamUri());
      server.setHandler(new Handler.Sequence(new UpgradePassThrough(upstream),
          JettyGatewayHandler.create(JettyHandlerConformanceTest.gateway(jwt, fixtures))));
      server.start();
      return JettyHandlerConformanceTest.target().baseUri(URI.create("http://127.0.0.1:" + connector.getLocalPort()))
          .closeAfter(jwt, server::stop).build();
    }
  }

  /** Sends any request with {@code Upgrade} to the upstream as it came, and answers with the upstream's status. */
  private static final class UpgradePassThrough extends Handler.Abstract {
    private final URI upstream;

    UpgradePassThrough(URI upstream) {
      this.upstream = upstream;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      if (!request.getHeaders().contains(HttpHeader.UPGRADE)) {
        return false;
      }
      StringBuilder head = new StringBuilder("GET " + request.getHttpURI().getPathQuery() + " HTTP/1.1\r\n");
      for (HttpField field : request.getHeaders()) {
        head.append(field.getName()).append(": ").append(field.getValue()).append("\r\n");
      }
      String answer;
      try (Socket socket = new Socket(upstream.getHost(), upstream.getPort())) {
        socket.setSoTimeout(5_000);
        socket.getOutputStream().write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      }
      response.setStatus(RawClient.status(answer) > 0 ? RawClient.status(answer) : 502);
      callback.succeeded();
      return true;
    }
  }

  /** The public prefix is served by a plain forwarding handler in front of the gateway: it copies every header. */
  static final class PlainForwardingPublicRoute extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
      HttpClient client = new HttpClient();
      client.start();
      Handler forward = new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
          if (!Request.getPathInContext(request).startsWith("/public/")) {
            return false;
          }
          ContentResponse answer = client.newRequest(fixtures.publicUpstreamUri() + request.getHttpURI().getPathQuery())
              .method(request.getMethod()).headers(h -> {
                for (HttpField field : request.getHeaders()) {
                  if (field.getHeader() != HttpHeader.HOST && field.getHeader() != HttpHeader.CONNECTION) {
                    h.add(field);
                  }
                }
              }).timeout(10, TimeUnit.SECONDS).send();
          response.setStatus(answer.getStatus());
          Content.Sink.write(response, true, answer.getContentAsString(), callback);
          return true;
        }
      };
      Server server = server(new Handler.Sequence(forward, JettyGatewayHandler.create(Gateway.builder()
          .route("admin", r -> r.path("/admin/**").authenticator(jwt).identityForwarding(IdentityForwarding.headersOnly())
              .upstream(fixtures.protectedUpstreamUri()))
          .build())));
      return JettyHandlerConformanceTest.target().baseUri(baseUri(server)).closeAfter(jwt, client::stop, server::stop).build();
    }
  }

  /**
   * The client's {@code Connection} tokens are applied after authentication, as Portico once did:
   * a handler in front keeps the client's {@code Connection} as {@code X-Client-Connection}, and a
   * filter of the protected route removes every field it names from the request going upstream.
   */
  static final class ConnectionAppliedAfterAuthentication extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
      Handler gateway = JettyGatewayHandler.create(Gateway.builder()
          .route("admin", r -> r.path("/admin/**").authenticator(jwt).identityForwarding(IdentityForwarding.headersOnly())
              .filter((exchange, chain) -> {
                GatewayRequest.Builder request = exchange.request().toBuilder();
                for (String token : exchange.request().headers().first("X-Client-Connection").orElse("").split(",")) {
                  if (!token.isBlank()) {
                    request.removeHeader(token.trim());
                  }
                }
                return chain.proceed(exchange.withRequest(request.build()));
              })
              .upstream(fixtures.protectedUpstreamUri()))
          .build());
      Server server = server(new Handler.Wrapper(gateway) {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
          HttpFields.Mutable fields = HttpFields.build(request.getHeaders());
          request.getHeaders().getValuesList(HttpHeader.CONNECTION).forEach(v -> fields.add("X-Client-Connection", v));
          HttpFields kept = fields.asImmutable();
          return super.handle(new Request.Wrapper(request) {
            @Override
            public HttpFields getHeaders() {
              return kept;
            }
          }, response, callback);
        }
      });
      return JettyHandlerConformanceTest.target().baseUri(baseUri(server)).closeAfter(jwt, server::stop).build();
    }
  }

  /** A filter of the protected route sends the subject in X-Auth-Subject as it is, as Portico once did. */
  static final class SubjectSentAsItIs extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
      GatewayServer server = GatewayServer.start(Gateway.builder()
          .route("admin", r -> r.path("/admin/**").authenticator(jwt).identityForwarding(IdentityForwarding.headersOnly())
              .filter((exchange, chain) -> chain.proceed(exchange.withRequest(exchange.request().toBuilder()
                  .header("X-Auth-Subject", exchange.identity().orElseThrow().subject()).build())))
              .upstream(fixtures.protectedUpstreamUri()))
          .build());
      return JettyHandlerConformanceTest.target().baseUri(server.baseUri()).closeAfter(jwt, server).build();
    }
  }

  private static Server server(Handler handler) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(handler);
    server.start();
    return server;
  }

  private static URI baseUri(Server server) {
    return URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
  }

  /** The control and the identity rows this change added, for the broken gateways of those rows. */
  private static List<DiscoverySelector> identityRows(Class<?> suite) {
    return List.of(
        selectMethod(suite, "aValidTokenReachesTheProtectedUpstream"),
        selectMethod(suite, "identityHeadersFromTheClientNeverReachTheUpstream"),
        selectMethod(suite, "identityHeadersSentToThePublicPrefixNeverReachThePublicUpstream"),
        selectMethod(suite, "connectionNamingIdentityHeadersDoesNotRemoveWhatTheGatewaySet"),
        selectMethod(suite, "aSubjectHeadersCannotCarryIsNeverCollapsedNorA500", String.class.getName()));
  }

  /**
   * A gateway with the two defects a plain forwarding proxy in front of it would have: a request
   * whose method has a lower-case letter, or that has more than one Content-Type, skips the routes
   * (a route that names {@code DELETE} does not take {@code delete}) and goes straight to the
   * protected upstream through an HTTP client that upper-cases the method.
   */
  static final class ForwardsWhatNoRouteTakes extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
      HttpClient client = new HttpClient();
      client.start();
      Handler forwarder = new Handler.Abstract() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
          String method = request.getMethod();
          List<String> contentTypes = request.getHeaders().getValuesList(HttpHeader.CONTENT_TYPE);
          if (method.equals(method.toUpperCase(Locale.ROOT)) && contentTypes.size() <= 1
              && contentTypes.stream().noneMatch(v -> v.contains(","))) {
            return false;
          }
          String body = Content.Source.asString(request);
          org.eclipse.jetty.client.Request upstream = client.newRequest(fixtures.protectedUpstreamUri()
                  + Request.getPathInContext(request))
              .method(method)
              .headers(h -> contentTypes.forEach(v -> h.add(HttpHeader.CONTENT_TYPE, v)))
              .timeout(10, TimeUnit.SECONDS);
          if (!body.isEmpty()) {
            upstream.body(new StringRequestContent(body));
          }
          response.setStatus(upstream.send().getStatus());
          callback.succeeded();
          return true;
        }
      };
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      server.setHandler(new Handler.Sequence(forwarder, JettyGatewayHandler.create(JettyHandlerConformanceTest.gateway(jwt, fixtures))));
      server.start();
      return JettyHandlerConformanceTest.target().baseUri(URI.create("http://127.0.0.1:" + connector.getLocalPort()))
          .closeAfter(jwt, server::stop, client::stop).build();
    }
  }

  /**
   * Not Portico: a front that routes on the raw path and lets every URI through, answering 200 for
   * anything under {@code /public/}: it takes double encodings and control escapes that a
   * double-decoding or trimming upstream would read as {@code ..}, the way Portico on Tomcat did
   * before it refused them.
   */
  static final class RoutesOnTheRawPath extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      Server server = new Server();
      HttpConfiguration config = new HttpConfiguration();
      config.setUriCompliance(UriCompliance.UNSAFE);
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config));
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      server.setHandler(new Handler.Abstract.NonBlocking() {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
          String path = String.valueOf(request.getHttpURI().getPath());
          response.setStatus(path.startsWith("/public/") ? 200 : path.startsWith("/admin/") ? 401 : 404);
          callback.succeeded();
          return true;
        }
      });
      server.start();
      AutoCloseable stop = server::stop;
      return JettyHandlerConformanceTest.target().baseUri(URI.create("http://127.0.0.1:" + connector.getLocalPort()))
          .closeAfter(stop).build();
    }
  }

  /** A global filter decodes and re-encodes the query, as some proxies "clean" it: bytes the upstream gets are not the client's. */
  static final class ReencodesTheQuery extends GatewaySecurityConformance {
    @Override
    protected ConformanceTarget start(ConformanceFixtures fixtures) throws Exception {
      JwtAuthenticator jwt = JettyHandlerConformanceTest.authenticator(fixtures);
      Filter reencode = (exchange, chain) -> chain.proceed(exchange.withRequest(exchange.request().toBuilder()
          .rawQuery(exchange.request().rawQuery().map(ReencodesTheQuery::reencode).orElse(null)).build()));
      GatewayServer server = GatewayServer.start(Gateway.builder()
          .filter(reencode)
          .route("public", r -> r.path("/public/**").upstream(fixtures.publicUpstreamUri()))
          .route("admin", r -> r.path("/admin/**").authenticator(jwt)
              .identityForwarding(IdentityForwarding.headersOnly())
              .upstream(fixtures.protectedUpstreamUri()))
          .build());
      return JettyHandlerConformanceTest.target().baseUri(server.baseUri()).closeAfter(jwt, server).build();
    }

    private static String reencode(String query) {
      StringBuilder out = new StringBuilder();
      for (String part : query.split("&", -1)) {
        if (out.length() > 0) {
          out.append('&');
        }
        out.append(URLEncoder.encode(URLDecoder.decode(part, UTF_8), UTF_8).replace("%3D", "="));
      }
      return out.toString();
    }
  }

  /** Runs {@code suite} and returns each test's method (with the row's index) and display name, and its outcome. */
  private static Map<String, TestExecutionResult.Status> run(Class<?> suite) {
    return run(List.of(selectClass(suite)));
  }

  /** Runs what {@code selectors} select, as {@link #run(Class)} does. */
  private static Map<String, TestExecutionResult.Status> run(DiscoverySelector... selectors) {
    return run(List.of(selectors));
  }

  /** Runs what {@code selectors} select, as {@link #run(Class)} does. */
  private static Map<String, TestExecutionResult.Status> run(List<? extends DiscoverySelector> selectors) {
    Map<String, TestExecutionResult.Status> outcomes = new TreeMap<>();
    LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(request, new TestExecutionListener() {
      @Override
      public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (test.isTest()) {
          outcomes.put(test.getLegacyReportingName() + " " + test.getDisplayName(), result.getStatus());
        }
      }
    });
    return outcomes;
  }

  private static List<String> failed(Map<String, TestExecutionResult.Status> outcomes) {
    return outcomes.entrySet().stream().filter(e -> e.getValue() == TestExecutionResult.Status.FAILED).map(Map.Entry::getKey).toList();
  }

  @Test
  void anUnprotectedRouteFailsThePathAndTokenRowsButNotTheControl() {
    Map<String, TestExecutionResult.Status> outcomes = run(OpenProtectedRoute.class);

    assertThat(outcomes).hasSizeGreaterThan(100);
    assertThat(outcomes).containsEntry("aValidTokenReachesTheProtectedUpstream() aValidTokenReachesTheProtectedUpstream()",
        TestExecutionResult.Status.SUCCESSFUL);
    assertThat(failed(outcomes))
        .anySatisfy(name -> assertThat(name).contains("plain protected path, no token"))
        .anySatisfy(name -> assertThat(name).contains("dot-segment: GET /public/../admin/x"))
        .anySatisfy(name -> assertThat(name).contains("alg none"))
        .anySatisfy(name -> assertThat(name).contains("expired"))
        .anySatisfy(name -> assertThat(name).startsWith("keysTheTokenPointsToAreNeverFetched"));
  }

  @Test
  void aHostThatPassesUpgradesThroughFailsEveryWebSocketHandshakeRowButNotTheControl() {
    Map<String, TestExecutionResult.Status> outcomes = run(
        selectMethod(PassesUpgradesThrough.class, "aValidTokenReachesTheProtectedUpstream"),
        selectMethod(PassesUpgradesThrough.class, "aBadWebSocketHandshakeIsAnsweredAtOnceAndNeverReachesTheUpstreamAsAnUpgrade",
            "java.lang.String, java.lang.String, boolean"));

    assertThat(outcomes).containsEntry("aValidTokenReachesTheProtectedUpstream() aValidTokenReachesTheProtectedUpstream()",
        TestExecutionResult.Status.SUCCESSFUL);
    List<String> rows = outcomes.keySet().stream().filter(name -> name.startsWith("aBadWebSocketHandshake")).toList();
    assertThat(rows).hasSize(14);
    assertThat(failed(outcomes)).containsExactlyInAnyOrderElementsOf(rows);
  }

  @Test
  void aGatewayThatForwardsOtherMethodSpellingsAndTwoContentTypesFailsExactlyThoseRows() {
    Map<String, TestExecutionResult.Status> outcomes = run(ForwardsWhatNoRouteTakes.class);

    assertThat(outcomes).containsEntry("aValidTokenReachesTheProtectedUpstream() aValidTokenReachesTheProtectedUpstream()",
        TestExecutionResult.Status.SUCCESSFUL);
    assertThat(failed(outcomes))
        .allSatisfy(name -> assertThat(name).matches("(aMethodInAnotherCase|twoContentTypes).*"))
        .anySatisfy(name -> assertThat(name).contains("delete"))
        .anySatisfy(name -> assertThat(name).contains("Post"))
        .anySatisfy(name -> assertThat(name).contains("two Content-Type fields"))
        .anySatisfy(name -> assertThat(name).contains("a Content-Type list"));
    assertThat(failed(outcomes)).filteredOn(name -> name.startsWith("aMethodInAnotherCase")).hasSize(10);
    assertThat(failed(outcomes)).filteredOn(name -> name.startsWith("twoContentTypes")).hasSize(3);
  }

  @Test
  void aGatewayThatRoutesOnTheRawPathFailsTheDoubleEncodingAndControlEscapeRows() {
    Map<String, TestExecutionResult.Status> outcomes = run(RoutesOnTheRawPath.class);

    assertThat(failed(outcomes))
        .anySatisfy(name -> assertThat(name).contains("double-encoded dot-segment %252e%252e: GET /public/%252e%252e/admin/x"))
        .anySatisfy(name -> assertThat(name).contains("double-encoded dot-segment %25%32%65"))
        .anySatisfy(name -> assertThat(name).contains("double-encoded dot-segment %25u002e"))
        .anySatisfy(name -> assertThat(name).contains("control escape ..%09: GET /public/..%09/admin/x"))
        .anySatisfy(name -> assertThat(name).contains("control escape ..%7F"));
  }

  @Test
  void aGatewayThatReencodesTheQueryFailsTheQueryRowsButNotTheControl() {
    Map<String, TestExecutionResult.Status> outcomes = run(ReencodesTheQuery.class);

    assertThat(outcomes).containsEntry("aValidTokenReachesTheProtectedUpstream() aValidTokenReachesTheProtectedUpstream()",
        TestExecutionResult.Status.SUCCESSFUL);
    assertThat(failed(outcomes))
        .allSatisfy(name -> assertThat(name).startsWith("queryReachesTheUpstreamByteForByteOrIsRefused"))
        .anySatisfy(name -> assertThat(name).contains("encoded byte that is not UTF-8: ?c=%FF"))
        .anySatisfy(name -> assertThat(name).contains("semicolons: ?a;b=1;c"))
        .noneSatisfy(name -> assertThat(name).contains("plain: ?a=1&b=2"));
  }

  @Test
  void aRouteThatChecksNoAudienceFailsExactlyTheAudienceRows() {
    Map<String, TestExecutionResult.Status> outcomes = run(NoAudienceCheck.class);

    assertThat(failed(outcomes)).hasSize(2).allSatisfy(name -> assertThat(name).contains("audience"));
  }

  @Test
  void aPublicRouteThatForwardsEveryHeaderFailsThePublicIdentityRow() {
    Map<String, TestExecutionResult.Status> outcomes = run(identityRows(PlainForwardingPublicRoute.class));

    assertThat(outcomes).hasSize(7);
    assertThat(failed(outcomes)).singleElement().asString()
        .startsWith("identityHeadersSentToThePublicPrefixNeverReachThePublicUpstream");
  }

  @Test
  void connectionTokensAppliedAfterAuthenticationFailTheConnectionRow() {
    Map<String, TestExecutionResult.Status> outcomes = run(identityRows(ConnectionAppliedAfterAuthentication.class));

    assertThat(outcomes).hasSize(7);
    assertThat(failed(outcomes)).singleElement().asString()
        .startsWith("connectionNamingIdentityHeadersDoesNotRemoveWhatTheGatewaySet");
  }

  @Test
  void aSubjectSentAsItIsFailsEverySubjectRow() {
    Map<String, TestExecutionResult.Status> outcomes = run(identityRows(SubjectSentAsItIs.class));

    assertThat(outcomes).hasSize(7);
    assertThat(failed(outcomes)).hasSize(3)
        .allSatisfy(name -> assertThat(name).startsWith("aSubjectHeadersCannotCarryIsNeverCollapsedNorA500"))
        .anySatisfy(name -> assertThat(name).contains("beyond Latin-1"))
        .anySatisfy(name -> assertThat(name).contains("Latin-1: admin"))
        .anySatisfy(name -> assertThat(name).contains("CR LF"));
  }
}
