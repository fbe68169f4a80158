package dev.portico.gateway.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.AccessRule;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.UpstreamAnswer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.jetty.client.CompletableResponseListener;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real gateway on a loopback port with one route, {@code /api/**}, authenticated by the
 * authenticator under test and requiring scope {@code orders:read}, in front of a recording upstream.
 */
final class JwtGateway implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  final FakeUpstream upstream;
  final GatewayServer host;

  private JwtGateway(FakeUpstream upstream, GatewayServer host) {
    this.upstream = upstream;
    this.host = host;
  }

  static JwtGateway start(JwtAuthenticator jwt) throws Exception {
    return start(jwt, r -> {});
  }

  static JwtGateway start(JwtAuthenticator jwt, Consumer<Route.Builder> more) throws Exception {
    FakeUpstream upstream = FakeUpstream.start()
        .answer(UpstreamAnswer.text(200, "hello from upstream"));
    Gateway gateway = Gateway.builder().route("api", r -> {
      r.path("/api/**").authenticator(jwt).authorize(AccessRule.scopes("orders:read")).upstream(upstream.uri());
      more.accept(r);
    }).build();
    // Room for a 100 KB token, so the gateway (not Jetty's header limit) is what refuses it.
    return new JwtGateway(upstream, GatewayServer.builder().gateway(gateway)
        .permissiveUris(true).requestHeaderSize(256 * 1024).hostAnswer().start());
  }

  ContentResponse get(String bearerToken) throws Exception {
    return get(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + bearerToken));
  }

  ContentResponse get(Consumer<HttpFields.Mutable> headers) throws Exception {
    return host.client().newRequest(host.uri("/api/orders")).headers(headers).timeout(10, TimeUnit.SECONDS).send();
  }

  /** Sends without waiting, for concurrent requests. */
  CompletableFuture<ContentResponse> send(String bearerToken) throws Exception {
    return new CompletableResponseListener(host.client().newRequest(host.uri("/api/orders"))
        .headers(h -> h.put(HttpHeader.AUTHORIZATION, "Bearer " + bearerToken))
        .timeout(15, TimeUnit.SECONDS)).send();
  }

  static JsonNode problem(ContentResponse response) {
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/problem+json");
    return JSON.readTree(response.getContentAsString());
  }

  @Override
  public void close() throws Exception {
    host.close();
    upstream.close();
  }
}
