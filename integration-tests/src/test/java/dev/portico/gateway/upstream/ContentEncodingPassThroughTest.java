package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.GatewayUnderTest;
import dev.portico.gateway.test.PorticoTest;
import dev.portico.gateway.test.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.junit.jupiter.api.Test;

/**
 * Content codings are the client's and the upstream's business: the gateway asks for none on the
 * client's behalf, and passes an encoded response on as it came. (Jetty 12.1's HTTP client, left
 * to itself, adds {@code Accept-Encoding: gzip} to every request and inflates gzip responses.)
 */
@PorticoTest
class ContentEncodingPassThroughTest {
  @GatewayUnderTest
  static Gateway gateway(FakeUpstream upstream) {
    return Gateway.builder().route("all", r -> r.path("/**").upstream(upstream.uri())).build();
  }

  @Test
  void aRequestWithoutAcceptEncodingReachesTheUpstreamWithoutOne(GatewayServer host, FakeUpstream upstream) throws Exception {
    RawClient.Response response = RawClient.send(host.port(), "/plain");

    assertThat(response.status()).isEqualTo(200);
    assertThat(upstream.takeRequest().header(HttpHeader.ACCEPT_ENCODING.asString())).isEmpty();
  }

  @Test
  void theClientsAcceptEncodingIsForwardedAsSent(GatewayServer host, FakeUpstream upstream) throws Exception {
    RawClient.Response response = RawClient.exchange(host.port(), "GET /plain HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Accept-Encoding: br, gzip;q=0.5\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(upstream.takeRequest().headerValues(HttpHeader.ACCEPT_ENCODING.asString())).containsExactly("br, gzip;q=0.5");
  }

  @Test
  void aGzipResponseReachesTheClientCompressedAndByteForByte(GatewayServer host, FakeUpstream upstream) throws Exception {
    byte[] compressed = gzip("{\"orders\": [1, 2, 3]}".repeat(50));
    upstream.respondWith((received, request, response, callback) -> {
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, compressed.length);
      response.write(true, ByteBuffer.wrap(compressed), callback);
    });

    RawClient.Response response = RawClient.exchange(host.port(), "GET /orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Accept-Encoding: gzip\r\nConnection: close\r\n\r\n");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.text()).containsIgnoringCase("\r\nContent-Encoding: gzip\r\n")
        .containsIgnoringCase("\r\nContent-Length: " + compressed.length + "\r\n");
    assertThat(response.body().getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(compressed);
  }

  private static byte[] gzip(String text) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }
}
