package dev.portico.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.testing.Await;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** W3C Trace Context without any tracer: accepted from clients, propagated upstream, started when absent. */
class TracePropagationTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";

  private final List<AccessLogEntry> accessLog = new CopyOnWriteArrayList<>();
  private FakeUpstream upstream;
  private GatewayServer host;

  @BeforeEach
  void start() throws Exception {
    upstream = FakeUpstream.start();
    host = GatewayServer.builder().gateway(Gateway.builder().accessLog(accessLog::add)
        .route("api", r -> r.path("/api/**").upstream(upstream.uri()))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  @AfterEach
  void stop() throws Exception {
    host.close();
    upstream.close();
  }

  private RecordedRequest send(String traceparent, String tracestate) throws Exception {
    host.client().newRequest(host.uri("/api/x")).headers(h -> {
      if (traceparent != null) {
        h.put("traceparent", traceparent);
      }
      if (tracestate != null) {
        h.put("tracestate", tracestate);
      }
    }).timeout(10, TimeUnit.SECONDS).send();
    return upstream.takeRequest();
  }

  private AccessLogEntry entry() {
    Await.until("access log entry", () -> !accessLog.isEmpty());
    return accessLog.get(0);
  }

  @Test
  void continuesTheClientsTraceWithANewSpanForTheUpstreamHop() throws Exception {
    RecordedRequest received = send("00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01", "congo=t61rcWkgMzE");

    TraceContext sent = TraceContext.parse(received.header("traceparent").orElse(null), received.header("tracestate").orElse(null)).orElseThrow();
    assertThat(sent.traceId()).isEqualTo(TRACE_ID);
    assertThat(sent.spanId()).isNotEqualTo(CLIENT_SPAN);
    assertThat(sent.sampled()).isTrue();
    assertThat(received.header("tracestate")).contains("congo=t61rcWkgMzE");
    assertThat(entry().traceId()).hasValue(TRACE_ID);
    assertThat(entry().toLine()).endsWith(" traceId=" + TRACE_ID);
  }

  @Test
  void keepsTheClientsSampledFlag() throws Exception {
    RecordedRequest received = send("00-" + TRACE_ID + "-" + CLIENT_SPAN + "-00", null);

    assertThat(received.header("traceparent").orElse(null)).startsWith("00-" + TRACE_ID + "-").endsWith("-00");
  }

  @Test
  void startsANewTraceWhenTheClientSentNone() throws Exception {
    RecordedRequest received = send(null, null);

    TraceContext sent = TraceContext.parse(received.header("traceparent").orElse(null), null).orElseThrow();
    assertThat(sent.sampled()).isTrue();
    assertThat(received.header("tracestate")).isEmpty();
    assertThat(entry().traceId()).hasValue(sent.traceId());
  }

  @Test
  void startsANewTraceAndDropsTheStateWhenTheTraceparentIsMalformed() throws Exception {
    RecordedRequest received = send("00-" + TRACE_ID.toUpperCase() + "-" + CLIENT_SPAN + "-01", "congo=t61rcWkgMzE");

    TraceContext sent = TraceContext.parse(received.header("traceparent").orElse(null), null).orElseThrow();
    assertThat(sent.traceId()).isNotEqualToIgnoringCase(TRACE_ID);
    assertThat(received.headerValues("traceparent")).hasSize(1);
    assertThat(received.header("tracestate")).isEmpty();
  }

  @Test
  void refusedExchangesCarryATraceIdToo() throws Exception {
    host.client().newRequest(host.uri("/api/a%2Fb")).headers(h -> h.put("traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01"))
        .timeout(10, TimeUnit.SECONDS).send();

    assertThat(entry().status()).isEqualTo(400);
    assertThat(entry().traceId()).hasValue(TRACE_ID);
  }
}
