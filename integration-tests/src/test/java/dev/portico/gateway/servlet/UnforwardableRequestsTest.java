package dev.portico.gateway.servlet;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.RawClient;
import dev.portico.gateway.testing.Mounting;
import dev.portico.gateway.testing.TestAuthenticator;
import dev.portico.gateway.validation.JsonSchema;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Messages the gateway would route as one thing and forward as another are refused before any
 * route, on every mounting: a method in lower case (HTTP/1.1 and HTTP/2), a transfer coding under
 * the chunks, more than one Content-Type. Raw sockets and raw HTTP/2 frames, so no client
 * normalizes the request first.
 */
class UnforwardableRequestsTest {
  private static final String SCHEMA = "{\"type\": \"object\", \"properties\": {\"qty\": {\"type\": \"integer\"}}}";

  private FakeUpstream upstream;
  private Mounting.Running host;

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  /**
   * {@code DELETE /m/**} needs credentials; every other method on {@code /m/**} is public; {@code /v}
   * validates JSON; {@code /p/**} takes anything.
   */
  private void mount(Mounting mounting) throws Exception {
    upstream = FakeUpstream.start();
    Gateway gateway = Gateway.builder()
        .route("delete-protected", r -> r.path("/m/**").methods("DELETE").authenticator(new TestAuthenticator())
            .upstream(upstream.uri()))
        .route("public-other-methods", r -> r.path("/m/**").permitAll().upstream(upstream.uri()))
        .route("validated", r -> r.path("/v").methods("POST").permitAll()
            .validate(v -> v.jsonSchema(JsonSchema.of(SCHEMA))).upstream(upstream.uri()))
        .route("plain", r -> r.path("/p/**").permitAll().upstream(upstream.uri()))
        .route("cors-delete", r -> r.path("/c").methods("DELETE").permitAll()
            .cors(c -> c.allowOrigins("https://app.example.com").allowMethods("DELETE")).upstream(upstream.uri()))
        .build();
    host = mounting.start(gateway, Mounting.Options.DEFAULTS.withWebSocket(false));
  }

  private RawClient.Response send(String head, String body) throws Exception {
    return RawClient.exchange(host.port(), head + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n" + body);
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void lowerCaseMethodIsRefused501AndNeverSkipsToTheNextRoute(Mounting mounting) throws Exception {
    mount(mounting);

    for (String method : new String[] {"delete", "Delete", "dELETE", "get", "post", "patch"}) {
      RawClient.Response response = send(method + " /m/x HTTP/1.1\r\n", "");

      assertThat(response.status()).as("status of %s", method).isEqualTo(501);
      assertThat(response.body()).as("problem for %s", method).contains("method-not-implemented");
    }
    assertThat(upstream.pollRequest()).as("requests forwarded").isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void upperCaseMethodsStillRouteAsBefore(Mounting mounting) throws Exception {
    mount(mounting);

    RawClient.Response delete = send("DELETE /m/x HTTP/1.1\r\n", "");
    RawClient.Response get = send("GET /m/x HTTP/1.1\r\n", "");

    assertThat(delete.status()).as("DELETE without credentials").isEqualTo(401);
    assertThat(get.status()).isEqualTo(200);
    assertThat(upstream.takeRequest().method()).isEqualTo("GET");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  /**
   * A preflight is matched on its Access-Control-Request-Method exactly as sent, like the request it
   * announces: {@code delete} is not the route's {@code DELETE}, so it gets no CORS answer for it.
   */
  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void preflightForAMethodInAnotherCaseIsNotAnsweredForTheRoutesMethod(Mounting mounting) throws Exception {
    mount(mounting);
    String preflight = "OPTIONS /c HTTP/1.1\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: ";

    RawClient.Response upper = send(preflight + "DELETE\r\n", "");
    RawClient.Response lower = send(preflight + "delete\r\n", "");

    assertThat(upper.status()).as("control: the route's method").isEqualTo(204);
    assertThat(upper.text()).contains("Access-Control-Allow-Methods: DELETE");
    assertThat(lower.status()).as("routed as a plain OPTIONS, which the route does not take").isEqualTo(405);
    assertThat(lower.text()).doesNotContain("Access-Control-Allow-Methods");
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void lowerCaseMethodOverHttp2IsRefused501(Mounting mounting) throws Exception {
    mount(mounting);

    assertThat(h2Status("delete", "/m/x")).isEqualTo(501);
    assertThat(h2Status("DELETE", "/m/x")).as("control: the protected route").isEqualTo(401);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  /** Sends one HTTP/2 request with {@code :method} exactly as given; returns the response status. */
  private int h2Status(String method, String path) throws Exception {
    HTTP2Client frames = new HTTP2Client();
    frames.start();
    try {
      Session session = frames.connect(new InetSocketAddress("127.0.0.1", host.port()), new Session.Listener() {})
          .get(10, SECONDS);
      CompletableFuture<Integer> status = new CompletableFuture<>();
      MetaData.Request request = new MetaData.Request(method,
          HttpURI.from("http://127.0.0.1:" + host.port() + path), HttpVersion.HTTP_2, HttpFields.EMPTY);
      session.newStream(new HeadersFrame(request, null, true), new Stream.Listener() {
        @Override
        public void onHeaders(Stream stream, HeadersFrame frame) {
          if (frame.getMetaData() instanceof MetaData.Response response) {
            status.complete(response.getStatus());
          }
          stream.demand();
        }

        @Override
        public void onDataAvailable(Stream stream) {
          Stream.Data data = stream.readData();
          if (data != null) {
            data.release();
            if (data.frame().isEndStream()) {
              return;
            }
          }
          stream.demand();
        }
      }).get(10, SECONDS);
      return status.get(10, SECONDS);
    } finally {
      frames.stop();
    }
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void transferCodingBeforeChunkedIsRefused501(Mounting mounting) throws Exception {
    mount(mounting);

    for (String coding : new String[] {"gzip, chunked", "identity, chunked", "deflate,chunked"}) {
      RawClient.Response response = send("POST /p/x HTTP/1.1\r\nTransfer-Encoding: " + coding + "\r\n",
          "5\r\nhello\r\n0\r\n\r\n");

      assertThat(response.status()).as("status for %s", coding).isEqualTo(501);
    }
    RawClient.Response chunked = send("POST /p/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\n\r\n");
    assertThat(chunked.status()).as("control: chunked alone").isEqualTo(200);
    assertThat(upstream.takeRequest().bodyAsString()).isEqualTo("hello");
    assertThat(upstream.pollRequest()).as("requests forwarded").isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void transferCodingBeforeChunkedGetsTheGatewaysProblemWhereTheServerPassesItOn(Mounting mounting) throws Exception {
    mount(mounting);

    RawClient.Response response = send("POST /p/x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n",
        "5\r\nhello\r\n0\r\n\r\n");

    assertThat(response.status()).isEqualTo(501);
    if (mounting != Mounting.TOMCAT_SERVLET) {   // Tomcat answers 501 itself, before the servlet runs
      assertThat(response.body()).contains("transfer-coding-not-implemented");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void twoContentTypesAreRefused400OnEveryRoute(Mounting mounting) throws Exception {
    mount(mounting);
    String body = "{\"qty\": \"not a number\"}";
    String length = "Content-Length: " + body.length() + "\r\n";

    RawClient.Response twoFields = send("POST /v HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Type: application/json\r\n"
        + length, body);
    RawClient.Response oneList = send("POST /v HTTP/1.1\r\nContent-Type: text/plain, application/json\r\n" + length, body);
    RawClient.Response noPolicy = send("POST /p/x HTTP/1.1\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\n"
        + length, body);

    assertThat(twoFields.status()).isEqualTo(400);
    assertThat(twoFields.body()).contains("bad-request").contains("more than one Content-Type");
    assertThat(oneList.status()).isEqualTo(400);
    assertThat(noPolicy.status()).as("a route without body policies").isEqualTo(400);
    assertThat(upstream.pollRequest()).as("requests forwarded").isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Mounting.class, names = {"JETTY_HANDLER", "JETTY_SERVLET", "TOMCAT_SERVLET"})
  void aCommaInsideAQuotedParameterIsOneContentType(Mounting mounting) throws Exception {
    mount(mounting);
    upstream.respondWith((r, req, resp, cb) -> Content.Sink.write(resp, true, "ok", cb));

    RawClient.Response response = send("POST /p/x HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=\"a,b\"\r\n"
        + "Content-Length: 5\r\n", "hello");

    assertThat(response.status()).isEqualTo(200);
    assertThat(upstream.takeRequest().header("Content-Type")).contains("multipart/form-data; boundary=\"a,b\"");
  }
}
