package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.UpstreamTls;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.testing.TestCertificates;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.StringRequestContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connection management per group: HTTP/2 (h2c and h2 over TLS) to upstreams, pool limits, keep-alive. */
class UpstreamConnectionsTest {
  private final GroupHarness h = new GroupHarness();

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  private void start(UpstreamGroup group) throws Exception {
    h.start(Gateway.builder()
        .upstreamGroup(group)
        .route("svc", r -> r.path("/svc/**").upstreamGroup("svc"))
        .build());
  }

  @Test
  void speaksCleartextHttp2WithPriorKnowledgeToAnH2cUpstream() throws Exception {
    FakeUpstream backend = h.add("h2c", FakeUpstream.startH2c());
    start(UpstreamGroup.builder("svc").endpoint(backend.uri()).protocol(UpstreamProtocol.HTTP_2).build());

    ContentResponse response = h.request("/svc/x").method("POST")
        .body(new StringRequestContent("text/plain", "over h2c")).send();

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo("h2c");
    assertThat(GroupHarness.versions(backend)).containsExactly("HTTP/2.0");
    assertThat(GroupHarness.bodies(backend)).containsExactly("over h2c");
  }

  @Test
  void negotiatesH2ByAlpnWithATlsUpstream() throws Exception {
    TestCertificates certificates = TestCertificates.create();
    FakeUpstream backend = h.add("h2", FakeUpstream.startH2(certificates.serverIdentity(), TestCertificates.PASSWORD));
    start(UpstreamGroup.builder("svc")
        .endpoint("https://localhost:" + backend.port())
        .tls(UpstreamTls.builder().trustStore(certificates.trustStore()).build())
        .protocol(UpstreamProtocol.HTTP_2)
        .build());

    ContentResponse response = h.get("/svc/x");

    assertThat(response.getStatus()).isEqualTo(200);
    assertThat(response.getContentAsString()).isEqualTo("h2");
    assertThat(GroupHarness.versions(backend)).containsExactly("HTTP/2.0");
  }

  @Test
  void sharesOneConnectionAmongConcurrentRequestsOverHttp2() throws Exception {
    FakeUpstream backend = h.add("h2c", FakeUpstream.startH2c(), Duration.ofMillis(50));
    start(UpstreamGroup.builder("svc").endpoint(backend.uri()).protocol(UpstreamProtocol.HTTP_2).build());
    // The first request opens the connection and learns how many streams it takes (before that,
    // Jetty's client counts one, so requests racing to be first may each open one).
    assertThat(h.get("/svc/x").getStatus()).isEqualTo(200);

    assertAllOk(sendConcurrently(6));

    assertThat(backend.requestCount()).isEqualTo(7);
    assertThat(GroupHarness.clientPorts(backend)).hasSize(1);
  }

  @Test
  void keepsAtMostTheConfiguredConnectionsPerEndpointAndReusesThem() throws Exception {
    FakeUpstream backend = h.backend("a", Duration.ofMillis(50));
    start(UpstreamGroup.builder("svc").endpoint(backend.uri()).maxConnectionsPerEndpoint(2).build());

    assertAllOk(sendConcurrently(6));
    h.tally("/svc/x", 5);

    // Six at once over at most two connections (the rest queued), then kept alive and reused.
    assertThat(backend.requestCount()).isEqualTo(11);
    assertThat(GroupHarness.clientPorts(backend)).hasSizeBetween(1, 2);
  }

  private List<CompletableFuture<ContentResponse>> sendConcurrently(int n) {
    List<CompletableFuture<ContentResponse>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      futures.add(new CompletableResponseListener(h.request("/svc/x")).send());
    }
    return futures;
  }

  private static void assertAllOk(List<CompletableFuture<ContentResponse>> futures) throws Exception {
    for (CompletableFuture<ContentResponse> f : futures) {
      assertThat(f.get().getStatus()).isEqualTo(200);
    }
  }
}
