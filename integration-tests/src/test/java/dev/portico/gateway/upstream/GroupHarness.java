package dev.portico.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.test.UpstreamAnswer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Backends (the kit's upstreams, each answering its name) and a gateway host for the upstream
 * tests; closes what it started.
 */
final class GroupHarness implements AutoCloseable {
  /** The path that answers the health probes. */
  static final String HEALTH = "/health";

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<FakeUpstream> backends = new ArrayList<>();
  private GatewayServer host;
  private HttpClient client;

  /** Starts a backend that answers {@code 200} with {@code name} as the body. */
  FakeUpstream backend(String name) throws Exception {
    return add(name, FakeUpstream.start());
  }

  /** Starts a backend like {@link #backend(String)} that answers only after {@code delay}. */
  FakeUpstream backend(String name, Duration delay) throws Exception {
    return add(name, FakeUpstream.start(), delay);
  }

  /** Makes {@code upstream} a backend named {@code name}, answering {@link #HEALTH} too. */
  FakeUpstream add(String name, FakeUpstream upstream) {
    return add(name, upstream, Duration.ZERO);
  }

  /** Makes {@code upstream} a backend like {@link #add(String, FakeUpstream)} that answers after {@code delay}. */
  FakeUpstream add(String name, FakeUpstream upstream, Duration delay) {
    backends.add(upstream);
    return upstream.answer(served(name).delay(delay)).answerHealth(HEALTH);
  }

  /** The answer of the backend named {@code name}. */
  static UpstreamAnswer served(String name) {
    return UpstreamAnswer.text(200, name).header("X-Served-By", name);
  }

  /** Returns the non-empty request bodies {@code backend} received, in order. */
  static List<String> bodies(FakeUpstream backend) {
    return backend.requests().stream().map(RecordedRequest::bodyAsString).filter(b -> !b.isEmpty()).toList();
  }

  /** Returns the HTTP versions of the requests {@code backend} received. */
  static List<String> versions(FakeUpstream backend) {
    return backend.requests().stream().map(RecordedRequest::protocol).toList();
  }

  /** Returns the distinct client ports (connections) requests to {@code backend} came from. */
  static Set<Integer> clientPorts(FakeUpstream backend) {
    return backend.requests().stream().map(RecordedRequest::clientPort).collect(Collectors.toSet());
  }

  GatewayServer start(Gateway gateway) throws Exception {
    host = GatewayServer.builder().gateway(gateway).permissiveUris(true).hostAnswer().start();
    client = host.client();
    return host;
  }

  GatewayServer host() {
    return host;
  }

  Request request(String path) {
    return client.newRequest(host.uri(path)).timeout(10, TimeUnit.SECONDS);
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
    for (FakeUpstream b : backends) {
      b.close();
    }
  }
}
