package dev.portico.gateway.transform.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.portico.gateway.AccessLog;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Arbitrary request bodies through a route's JSON transform under a cap, over HTTP into a real
 * gateway and upstream. Each input is sent three ways: as {@code application/json}; the same bytes
 * marked {@code Content-Encoding: gzip} (mostly broken gzip); and gzip-compressed. Every answer is
 * one of the documented outcomes: the transformed body reached the upstream (200, valid JSON, the
 * removed member gone, at most the cap), 400 ({@code malformed-json}, or {@code bad-request} for
 * broken gzip) or 413 ({@code payload-too-large}) exactly when the body (compressed or decoded) is
 * over the cap; never a 500. The compressed body gets the same answer as the plain one.
 *
 * <p>In the normal test run this replays the seeds under {@code JsonTransformFuzzTestInputs}. To
 * fuzz (for the annotation's 2 minutes): {@code JAZZER_FUZZ=1 mvn -B -pl gateway-impl -am test
 * -Dsurefire.failIfNoSpecifiedTests=false -Dtest=JsonTransformFuzzTest}. Findings are written next
 * to the seeds as {@code crash-*} and replay from then on.
 */
class JsonTransformFuzzTest {
  private static final int CAP = 1024;
  private static final String PROBLEMS = "https://portico.dev/problems/";
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static Server upstream;
  private static Server gateway;
  private static HttpClient client;
  private static String uri;

  @BeforeAll
  static void start() throws Exception {
    upstream = new Server();
    ServerConnector upstreamConnector = new ServerConnector(upstream);
    upstreamConnector.setHost("127.0.0.1");
    upstream.addConnector(upstreamConnector);
    upstream.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(org.eclipse.jetty.server.Request request, Response response, Callback callback)
          throws Exception {
        ByteBuffer body = Content.Source.asByteBuffer(request);   // echoes what the gateway sent
        response.setStatus(200);
        response.write(true, body, callback);
        return true;
      }
    });
    upstream.start();
    gateway = new Server();
    ServerConnector gatewayConnector = new ServerConnector(gateway);
    gatewayConnector.setHost("127.0.0.1");
    gateway.addConnector(gatewayConnector);
    gateway.setHandler(JettyGatewayHandler.create(Gateway.builder()
        .accessLog(AccessLog.disabled())   // no log line per execution while fuzzing
        .route("json", r -> r.path("/json").permitAll()
            .requestJson(j -> j.remove("/secret").rename("/a", "/b").maxBodySize(CAP))
            .upstream("http://127.0.0.1:" + upstreamConnector.getLocalPort()))
        .build()));
    gateway.start();
    client = new HttpClient();
    client.start();
    uri = "http://127.0.0.1:" + gatewayConnector.getLocalPort() + "/json";
  }

  @AfterAll
  static void stop() throws Exception {
    client.stop();
    gateway.stop();
    upstream.stop();
  }

  @FuzzTest(maxDuration = "2m")
  void everyBodyGetsADocumentedOutcome(byte[] body) throws Exception {
    ContentResponse plain = post(body, false);
    String plainOutcome = check(plain, body.length > CAP, body.length == 0);

    ContentResponse markedGzip = post(body, true);
    check(markedGzip, body.length > CAP || decodedLength(body) > CAP, body.length == 0);

    byte[] compressed = gzip(body);
    ContentResponse gzipped = post(compressed, true);
    String gzippedOutcome = check(gzipped, body.length > CAP || compressed.length > CAP, false);
    if (compressed.length <= CAP) {
      assertThat(gzippedOutcome).as("gzip-compressed answer").isEqualTo(plainOutcome);
    }
  }

  private static ContentResponse post(byte[] body, boolean markedGzip) throws Exception {
    Request request = client.newRequest(uri).method("POST").timeout(10, TimeUnit.SECONDS)
        .body(new BytesRequestContent("application/json", body));
    if (markedGzip) {
      request.headers(h -> h.put("Content-Encoding", "gzip"));
    }
    return request.send();
  }

  /**
   * Checks one answer and returns it summed up ({@code 200 <body>}, {@code 400 <type>} or
   * {@code 413}), so that two answers can be compared.
   */
  private static String check(ContentResponse response, boolean overCap, boolean empty) {
    int status = response.getStatus();
    assertThat(status).as("status, answer %s", response.getContentAsString()).isIn(200, 400, 413);
    if (overCap) {
      assertThat(status).as("over the cap").isEqualTo(413);
    }
    if (status == 413) {
      assertThat(type(response)).isEqualTo(PROBLEMS + "payload-too-large");
      assertThat(overCap).as("413 under the cap").isTrue();
      return "413";
    }
    if (status == 400) {
      assertThat(type(response)).isIn(PROBLEMS + "malformed-json", PROBLEMS + "bad-request");
      return "400 " + type(response);
    }
    byte[] sent = response.getContent();
    assertThat(sent.length).as("transformed body size").isLessThanOrEqualTo(CAP);
    if (empty || sent.length == 0) {
      return "200 " + sent.length;
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(sent);
    } catch (JacksonException e) {
      throw new AssertionError("the upstream got a body that is not JSON: " + response.getContentAsString(), e);
    }
    if (tree.isObject()) {
      assertThat(tree.has("secret")).as("removed member").isFalse();
    }
    return "200 " + response.getContentAsString();
  }

  private static String type(ContentResponse response) {
    assertThat(response.getMediaType()).isEqualTo("application/problem+json");
    return JSON.readTree(response.getContentAsString()).path("type").asString();
  }

  /** The length of {@code bytes} gunzipped by the JDK, or -1 when they are not gzip; counting stops past the cap. */
  private static long decodedLength(byte[] bytes) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      long n = 0;
      byte[] chunk = new byte[8192];
      int read;
      while (n <= CAP && (read = in.read(chunk)) >= 0) {
        n += read;
      }
      return n;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
