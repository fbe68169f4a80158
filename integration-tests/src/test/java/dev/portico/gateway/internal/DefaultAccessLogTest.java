package dev.portico.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.Test;

class DefaultAccessLogTest {

  @Test
  void logsOneLinePerExchangeUnderTheAccessLoggerWithoutSecrets() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.err;
    try (FakeUpstream upstream = FakeUpstream.start();
        GatewayServer host = GatewayServer.builder().gateway(Gateway.builder()
            .route("api", r -> r.path("/api/**").upstream(upstream.uri())).build())
                .permissiveUris(true).hostAnswer().start()) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      ContentResponse response = host.client().newRequest(host.uri("/api/x?apikey=secret-query"))
          .headers(h -> h.put("Authorization", "Bearer secret-token").put("Cookie", "session=secret-cookie"))
          .timeout(10, TimeUnit.SECONDS).send();
      String requestId = response.getHeaders().get("X-Request-Id");

      String log = awaitLine(captured, requestId);

      assertThat(log).contains(AccessLogs.LOGGER_NAME)
          .contains("route=api").contains("method=GET").contains("path=/api/x").contains("status=200")
          .contains("upstream=" + upstream.uri() + "/api/x").contains("client=127.0.0.1").contains("outcome=ok")
          .doesNotContain("secret");
    } finally {
      System.setErr(original);
    }
  }

  private static String awaitLine(ByteArrayOutputStream captured, String requestId) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
        if (line.contains("requestId=" + requestId)) {
          return line;
        }
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("no access log line for " + requestId + " in:\n" + captured.toString(StandardCharsets.UTF_8));
  }
}
