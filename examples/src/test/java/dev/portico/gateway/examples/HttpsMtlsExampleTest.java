package dev.portico.gateway.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs the HTTPS example on an ephemeral port with clients that trust its demo CA, one of them with
 * the demo client certificate.
 */
class HttpsMtlsExampleTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static HttpsMtlsExample example;

  @BeforeAll
  static void start() throws Exception {
    example = HttpsMtlsExample.start(0);
  }

  @AfterAll
  static void stop() {
    if (example != null) {
      example.close();
    }
  }

  @Test
  void terminatesTlsAndProxiesWithForwardedProtoHttps() throws Exception {
    HttpResponse<String> response = get(client(false), "/api/hello");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode headers = JSON.readTree(response.body()).path("headers");
    assertThat(headers.path("X-Forwarded-Proto").asString()).isEqualTo("https");
  }

  @Test
  void mapsTheClientCertificatesCommonNameToTheSubject() throws Exception {
    HttpResponse<String> response = get(client(true), "/partner/orders");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode headers = JSON.readTree(response.body()).path("headers");
    assertThat(headers.path("X-Auth-Subject").asString()).isEqualTo(DemoCertificates.CLIENT_NAME);
    assertThat(headers.path("X-Auth-Method").asString()).isEqualTo("mtls");
  }

  @Test
  void answersTheCertificateRouteWithoutACertificateWith401() throws Exception {
    HttpResponse<String> response = get(client(false), "/partner/orders");

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("ClientCertificate realm=\"api\"");
  }

  @Test
  void writesThePemFilesTheCurlCommandsUse() {
    Path dir = example.pemDirectory();
    assertThat(dir.resolve("ca.pem")).content().startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(dir.resolve("client.pem")).content().startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(dir.resolve("client-key.pem")).content().startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.isReadable(dir.resolve("client-key.pem"))).isTrue();
  }

  /** A client that trusts the demo CA and, with {@code withCertificate}, presents the demo client certificate. */
  private static HttpClient client(boolean withCertificate) throws Exception {
    DemoCertificates certificates = example.certificates();
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(certificates.caTrustStore());
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(certificates.clientKeyStore(), DemoCertificates.PASSWORD);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(withCertificate ? keys.getKeyManagers() : null, trust.getTrustManagers(), null);
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .sslContext(tls)
        .build();
  }

  private static HttpResponse<String> get(HttpClient client, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(example.uri().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
