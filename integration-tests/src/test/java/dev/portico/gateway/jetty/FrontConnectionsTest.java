package dev.portico.gateway.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.test.UpstreamAnswer;
import dev.portico.gateway.testing.TestCertificates;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.AsyncRequestContent;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the client's connection to the host is made of: TLS terminated by the host (HTTP/1.1 or
 * HTTP/2 by ALPN), and cleartext HTTP/2 (prior knowledge) in front of an HTTP/1.1 upstream.
 */
class FrontConnectionsTest {
  private static final int MIB = 1024 * 1024;

  private static TestCertificates certificates;

  private FakeUpstream upstream;
  private GatewayServer host;

  @BeforeAll
  static void createCertificates() {
    certificates = TestCertificates.create();
  }

  @BeforeEach
  void startUpstream() throws Exception {
    upstream = FakeUpstream.start()
        .answer(UpstreamAnswer.text(200, "hello from upstream"));
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private Gateway gateway() {
    return Gateway.builder().route("api", r -> r.path("/api/**").upstream(upstream.uri())).build();
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @ParameterizedTest(name = "{0} over TLS")
  @EnumSource(value = HttpVersion.class, names = {"HTTP_1_1", "HTTP_2"})
  void tellsThePlainUpstreamThatTheClientUsedHttps(HttpVersion version) throws Exception {
    host = GatewayServer.builder().gateway(gateway()).permissiveUris(true)
        .tls(certificates.serverIdentity(), new String(TestCertificates.PASSWORD)).hostAnswer().start();
    HttpClient client = version == HttpVersion.HTTP_2 ? host.http2Client() : host.client();

    ContentResponse response = client.newRequest(host.uri("/api/x")).timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getVersion()).isEqualTo(version);
    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo("hello from upstream");
    RecordedRequest received = upstream.takeRequest();
    String authority = "localhost:" + host.port();
    assertThat(received.header("X-Forwarded-Proto")).contains("https");
    assertThat(received.header("X-Forwarded-Host")).contains(authority);
    assertThat(received.header("X-Forwarded-Port")).contains(Integer.toString(host.port()));
    assertThat(received.headerValues("Forwarded"))
        .containsExactly("for=127.0.0.1;proto=https;host=\"" + authority + "\"");
  }

  @Test
  void proxiesAnHttp2GetToAnHttp11Upstream() throws Exception {
    host = GatewayServer.builder().gateway(gateway()).permissiveUris(true).h2c(true).hostAnswer().start();

    ContentResponse response = host.http2Client().newRequest(host.uri("/api/items?page=2"))
        .timeout(10, TimeUnit.SECONDS).send();

    assertThat(response.getVersion()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo("hello from upstream");
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.method()).isEqualTo("GET");
    assertThat(received.target()).isEqualTo("/api/items?page=2");
    // HTTP/2 has no Host header: the authority comes from :authority.
    String authority = "127.0.0.1:" + host.port();
    assertThat(received.header("Host")).contains("127.0.0.1:" + upstream.port());
    assertThat(received.header("X-Forwarded-Host")).contains(authority);
    assertThat(received.header("X-Forwarded-Proto")).contains("http");
    assertThat(received.headerValues("Forwarded"))
        .containsExactly("for=127.0.0.1;proto=http;host=\"" + authority + "\"");
    // A GET without a body stays without one: no chunked framing, no Content-Length.
    assertThat(received.header("Transfer-Encoding")).isEmpty();
    assertThat(received.header("Content-Length")).isEmpty();
    assertThat(received.bodyAsString()).isEmpty();
  }

  @Test
  void streamsAChunkedUpstreamResponseToAnHttp2Client() throws Exception {
    byte[] first = randomBytes(MIB, 1);
    byte[] second = randomBytes(MIB / 2, 2);
    upstream.respondWith((r, request, response, callback) -> {
      response.getHeaders().put("Content-Type", "application/octet-stream");
      // Two writes and no declared length: the upstream answers chunked, with Transfer-Encoding.
      response.write(false, ByteBuffer.wrap(first),
          Callback.from(() -> response.write(true, ByteBuffer.wrap(second), callback), callback::failed));
    });
    host = GatewayServer.builder().gateway(gateway()).permissiveUris(true).h2c(true).hostAnswer().start();

    ContentResponse response = host.http2Client().newRequest(host.uri("/api/stream")).timeout(30, TimeUnit.SECONDS).send();

    assertThat(response.getVersion()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getHeaders().get("Transfer-Encoding")).isNull();
    byte[] expected = new byte[first.length + second.length];
    System.arraycopy(first, 0, expected, 0, first.length);
    System.arraycopy(second, 0, expected, first.length, second.length);
    assertThat(sha256(response.getContent())).isEqualTo(sha256(expected));
  }

  @Test
  void streamsA1MibHttp2UploadAndItsEchoIntact() throws Exception {
    upstream.respondWith((r, request, response, callback) ->
        Content.Sink.write(response, true, r.bodyAsString(), callback));
    host = GatewayServer.builder().gateway(gateway()).permissiveUris(true).h2c(true).hostAnswer().start();
    // Text, so that FakeUpstream's recorded body (a string) is the exact bytes.
    byte[] body = HexFormat.of().formatHex(randomBytes(MIB / 2, 3)).getBytes(StandardCharsets.US_ASCII);

    ContentResponse response = host.http2Client().newRequest(host.uri("/api/upload")).method("POST")
        .body(new BytesRequestContent("text/plain", body)).timeout(30, TimeUnit.SECONDS).send();

    assertThat(response.getVersion()).isEqualTo(HttpVersion.HTTP_2);
    assertThat(response.getStatus()).isEqualTo(200);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.method()).isEqualTo("POST");
    assertThat(received.header("Content-Length")).contains(Integer.toString(MIB));
    assertThat(received.bodyAsString()).hasSize(MIB);
    assertThat(sha256(received.bodyAsString().getBytes(StandardCharsets.US_ASCII))).isEqualTo(sha256(body));
    assertThat(received.header("X-Forwarded-Host")).contains("127.0.0.1:" + host.port());
    assertThat(response.getContent()).hasSize(MIB);
    assertThat(sha256(response.getContent())).isEqualTo(sha256(body));
  }

  @Test
  void streamsAnHttp2UploadThatDeclaresNoLength() throws Exception {
    CompletableFuture<Void> uploaded = new CompletableFuture<>();
    host = GatewayServer.builder().gateway(Gateway.builder()
        // Holds the exchange until the client has sent the whole body, so that its first chunk has
        // most likely arrived when the proxy step looks for a body: the read-ahead path.
        .filter((exchange, chain) -> uploaded.thenCompose(v -> chain.proceed(exchange)))
        .route("api", r -> r.path("/api/**").upstream(upstream.uri()))
        .build()).permissiveUris(true).h2c(true).hostAnswer().start();
    AsyncRequestContent content = new AsyncRequestContent("text/plain") {
      @Override
      public long getLength() {
        return -1; // once closed, AsyncContent knows its length and the client would declare it
      }
    };
    CompletableFuture<ContentResponse> response = new CompletableResponseListener(
        host.http2Client().newRequest(host.uri("/api/upload")).method("POST").body(content).timeout(30, TimeUnit.SECONDS),
        2 * MIB).send();
    StringBuilder sent = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      String part = ("part " + i + ";").repeat(2_000);
      sent.append(part);
      content.write(StandardCharsets.US_ASCII.encode(part), i < 3 ? Callback.NOOP
          : Callback.from(() -> uploaded.complete(null), uploaded::completeExceptionally));
    }
    content.close();

    assertThat(response.get(30, TimeUnit.SECONDS).getStatus()).isEqualTo(200);
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.header("Content-Length")).isEmpty();
    assertThat(received.header("Transfer-Encoding")).contains("chunked");
    assertThat(received.bodyAsString()).isEqualTo(sent.toString());
  }
}
