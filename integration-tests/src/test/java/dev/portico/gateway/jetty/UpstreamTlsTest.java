package dev.portico.gateway.jetty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.Upstream;
import dev.portico.gateway.UpstreamTls;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.test.UpstreamAnswer;
import dev.portico.gateway.testing.TestCertificates;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The upstream leg over TLS: trust, mutual TLS and host name verification, against real HTTPS servers. */
class UpstreamTlsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static TestCertificates certificates;

  private FakeUpstream upstream;
  private GatewayServer host;
  private final BlockingQueue<AccessLogEntry> accessLog = new LinkedBlockingQueue<>();

  @BeforeAll
  static void createCertificates() {
    certificates = TestCertificates.create();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  private ContentResponse proxyThrough(Upstream target) throws Exception {
    host = GatewayServer.builder().gateway(Gateway.builder()
        .accessLog(accessLog::add)
        .route("secure", r -> r.path("/secure/**").upstream(target))
        .build()).permissiveUris(true).hostAnswer().start();
    return host.client().newRequest(host.uri("/secure/data")).timeout(10, TimeUnit.SECONDS).send();
  }

  private UpstreamTls trustingTestCa() {
    return UpstreamTls.builder().trustStore(certificates.trustStore()).build();
  }

  /** Asserts a 502 upstream-unavailable problem whose detail names no address of the upstream. */
  private void assertUpstreamUnavailable(ContentResponse response) throws InterruptedException {
    assertThat(response.getStatus()).isEqualTo(502);
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/problem+json");
    JsonNode problem = JSON.readTree(response.getContentAsString());
    assertThat(problem.get("type").asString()).isEqualTo("https://portico.dev/problems/upstream-unavailable");
    assertThat(problem.get("detail").asString())
        .doesNotContain("localhost").doesNotContain("127.0.0.1").doesNotContain(Integer.toString(upstream.port()))
        .doesNotContainIgnoringCase("certificate").doesNotContainIgnoringCase("PKIX");
    assertThat(response.getContentAsString()).doesNotContain("Exception");
    // The entry is written when the last write's callback completes, which may be after the client has read it.
    assertThat(accessLog.poll(10, TimeUnit.SECONDS)).isNotNull().satisfies(e -> {
      assertThat(e.status()).isEqualTo(502);
      assertThat(e.outcome()).isEqualTo("problem");
    });
  }

  @Test
  void proxiesToHttpsUpstreamTrustedThroughTheRoutesTrustStore() throws Exception {
    upstream = FakeUpstream.startHttps(certificates.serverIdentity(), TestCertificates.PASSWORD)
        .answer(UpstreamAnswer.text(200, "hello from upstream"));

    ContentResponse response = proxyThrough(
        Upstream.builder("https://localhost:" + upstream.port()).tls(trustingTestCa()).build());

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo("hello from upstream");
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.target()).isEqualTo("/secure/data");
    assertThat(received.header("Host")).contains("localhost:" + upstream.port());
    // Forwarding headers describe the client's hop (plain HTTP), not the upstream's scheme.
    assertThat(received.header("X-Forwarded-Proto")).contains("http");
  }

  @Test
  void answers502WhenTheUpstreamCertificateIsNotTrustedByTheJvmDefaults() throws Exception {
    upstream = FakeUpstream.startHttps(certificates.serverIdentity(), TestCertificates.PASSWORD);

    ContentResponse response = proxyThrough(Upstream.of("https://localhost:" + upstream.port()));

    assertUpstreamUnavailable(response);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void presentsTheClientCertificateToAnUpstreamThatRequiresOne() throws Exception {
    upstream = FakeUpstream.startHttps(certificates.serverIdentity(), TestCertificates.PASSWORD, certificates.trustStore());
    upstream.respondWith((r, request, response, callback) -> {
      EndPoint.SslSessionData tls = (EndPoint.SslSessionData) request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
      X509Certificate[] peer = tls == null ? null : tls.peerCertificates();
      Content.Sink.write(response, true, peer == null ? "no client certificate"
          : "client " + peer[0].getSubjectX500Principal().getName(), callback);
    });

    ContentResponse response = proxyThrough(Upstream.builder("https://localhost:" + upstream.port())
        .tls(UpstreamTls.builder()
            .trustStore(certificates.trustStore())
            .keyStore(certificates.clientIdentity(), TestCertificates.PASSWORD)
            .build())
        .build());

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo("client " + TestCertificates.CLIENT_SUBJECT);
  }

  @Test
  void answers502WhenTheUpstreamRequiresAClientCertificateAndTheRouteHasNone() throws Exception {
    upstream = FakeUpstream.startHttps(certificates.serverIdentity(), TestCertificates.PASSWORD, certificates.trustStore());

    ContentResponse response = proxyThrough(
        Upstream.builder("https://localhost:" + upstream.port()).tls(trustingTestCa()).build());

    assertUpstreamUnavailable(response);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void verifiesAnUpstreamAddressedByIpAgainstTheCertificatesIpSan() throws Exception {
    upstream = FakeUpstream.startHttps(certificates.serverIdentity(), TestCertificates.PASSWORD)
        .answer(UpstreamAnswer.text(200, "hello from upstream"));

    ContentResponse response = proxyThrough(
        Upstream.builder("https://127.0.0.1:" + upstream.port()).tls(trustingTestCa()).build());

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo("hello from upstream");
  }

  @Test
  void answers502WhenTheUpstreamCertificateDoesNotNameTheUpstreamHost() throws Exception {
    upstream = FakeUpstream.startHttps(certificates.serverIdentityFor("orders.internal"), TestCertificates.PASSWORD);

    ContentResponse response = proxyThrough(
        Upstream.builder("https://localhost:" + upstream.port()).tls(trustingTestCa()).build());

    assertUpstreamUnavailable(response);
    assertThat(upstream.pollRequest()).isEmpty();
  }

  @Test
  void acceptsAMismatchedHostNameOnlyWhenVerificationIsTurnedOff() throws Exception {
    upstream = FakeUpstream.startHttps(certificates.serverIdentityFor("orders.internal"), TestCertificates.PASSWORD)
        .answer(UpstreamAnswer.text(200, "hello from upstream"));

    ContentResponse response = proxyThrough(Upstream.builder("https://localhost:" + upstream.port())
        .tls(UpstreamTls.builder().trustStore(certificates.trustStore()).verifyHostname(false).build())
        .build());

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo("hello from upstream");
  }

  @Test
  void stillRequiresATrustedCertificateWhenHostNameVerificationIsOff() throws Exception {
    TestCertificates otherCa = TestCertificates.create();
    upstream = FakeUpstream.startHttps(otherCa.serverIdentity(), TestCertificates.PASSWORD);

    ContentResponse response = proxyThrough(Upstream.builder("https://localhost:" + upstream.port())
        .tls(UpstreamTls.builder().trustStore(certificates.trustStore()).verifyHostname(false).build())
        .build());

    assertUpstreamUnavailable(response);
  }

  @Test
  void answers504WithinTheConnectTimeoutWhenTheUpstreamNeverCompletesTheHandshake() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      // Accepts connections (the kernel does) but never reads or writes: the TLS handshake stalls.
      host = GatewayServer.builder().gateway(Gateway.builder()
          .accessLog(accessLog::add)
          .route("stalled", r -> r.path("/stalled/**")
              .connectTimeout(Duration.ofMillis(500))
              .upstream(Upstream.builder("https://localhost:" + silent.getLocalPort()).tls(trustingTestCa()).build()))
          .build()).permissiveUris(true).hostAnswer().start();

      long start = System.nanoTime();
      ContentResponse response = host.client().newRequest(host.uri("/stalled/x")).timeout(20, TimeUnit.SECONDS).send();
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertThat(response.getStatus()).isEqualTo(504);
      assertThat(JSON.readTree(response.getContentAsString()).get("type").asString())
          .isEqualTo("https://portico.dev/problems/upstream-timeout");
      assertThat(tookMillis).isBetween(400L, 5_000L);
    }
  }
}
