package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.testing.Backend;
import dev.portico.gateway.testing.GatewayHost;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Backends and a gateway host for the upstream tests; closes what it started. */
final class GroupHarness implements AutoCloseable {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<Backend> backends = new ArrayList<>();
  private GatewayHost host;

  Backend backend(String name) throws Exception {
    Backend b = Backend.start(name);
    backends.add(b);
    return b;
  }

  Backend add(Backend b) {
    backends.add(b);
    return b;
  }

  GatewayHost start(Gateway gateway) throws Exception {
    host = GatewayHost.start(gateway);
    return host;
  }

  GatewayHost host() {
    return host;
  }

  Request request(String path) {
    return host.client().newRequest(host.uri(path)).timeout(10, TimeUnit.SECONDS);
  }

  /** Sends a GET; unchecked, so that it can be polled in {@code Await.until}. */
  ContentResponse get(String path) {
    try {
      return request(path).send();
    } catch (Exception e) {
      throw new AssertionError("GET " + path + " failed", e);
    }
  }

  /** Sends {@code n} GETs one after another and counts the answers by status and serving backend. */
  Map<String, Integer> tally(String path, int n) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      ContentResponse r = get(path);
      String who = r.getStatus() == 200 ? r.getContentAsString() : Integer.toString(r.getStatus());
      counts.merge(who, 1, Integer::sum);
    }
    return counts;
  }

  static JsonNode problem(ContentResponse response, String type) {
    assertThat(response.getHeaders().get(HttpHeader.CONTENT_TYPE)).isEqualTo("application/problem+json");
    JsonNode problem = JSON.readTree(response.getContentAsString());
    assertThat(problem.get("type").asString()).isEqualTo("https://portico.dev/problems/" + type);
    return problem;
  }

  @Override
  public void close() throws Exception {
    if (host != null) {
      host.close();
    }
    for (Backend b : backends) {
      b.close();
    }
  }
}
