package dev.portico.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.AccessLogEntry;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.otel.OpenTelemetryTracing;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.RefusingPort;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Server and client spans with the OpenTelemetry SDK, checked through its in-memory exporter. */
class OpenTelemetryTracingTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
      .addSpanProcessor(SimpleSpanProcessor.create(spans)).build();
  private final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();
  private final List<AccessLogEntry> accessLog = new CopyOnWriteArrayList<>();
  private FakeUpstream upstream;
  private GatewayServer host;

  @BeforeEach
  void start() throws Exception {
    upstream = FakeUpstream.start();
    host = GatewayServer.builder().handler(JettyGatewayHandler.builder(Gateway.builder().accessLog(accessLog::add)
            .route("order", r -> r.path("/api/orders/{id}").upstream(upstream.uri()))
            .route("down", r -> r.path("/down/**").upstream("http://127.0.0.1:" + RefusingPort.reserve()))
            .build())
        .observer(OpenTelemetryTracing.create(openTelemetry))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  @AfterEach
  void stop() throws Exception {
    host.close();
    upstream.close();
    openTelemetry.close();
  }

  private List<SpanData> awaitSpans(int count) {
    Await.until(count + " spans", () -> spans.getFinishedSpanItems().size() >= count);
    return spans.getFinishedSpanItems();
  }

  private static SpanData ofKind(List<SpanData> all, SpanKind kind) {
    return all.stream().filter(s -> s.getKind() == kind).findFirst().orElseThrow();
  }

  @Test
  void theServerSpanIsAChildOfTheClientsAndTheUpstreamGetsTheClientSpansContext() throws Exception {
    host.client().newRequest(host.uri("/api/orders/42"))
        .headers(h -> h.put("traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01").put("tracestate", "congo=t61rcWkgMzE"))
        .timeout(10, TimeUnit.SECONDS).send();
    RecordedRequest received = upstream.takeRequest();

    List<SpanData> all = awaitSpans(2);
    SpanData server = ofKind(all, SpanKind.SERVER);
    SpanData client = ofKind(all, SpanKind.CLIENT);
    assertThat(server.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(server.getParentSpanId()).isEqualTo(CLIENT_SPAN);
    assertThat(server.getParentSpanContext().isRemote()).isTrue();
    assertThat(client.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(client.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(received.header("traceparent")).contains("00-" + TRACE_ID + "-" + client.getSpanId() + "-01");
    assertThat(received.header("tracestate")).contains("congo=t61rcWkgMzE");
    Await.until("access log entry", () -> !accessLog.isEmpty());
    assertThat(accessLog.get(0).traceId()).hasValue(TRACE_ID);
  }

  @Test
  void spansCarryRouteAndUpstreamAttributes() throws Exception {
    host.client().newRequest(host.uri("/api/orders/42")).timeout(10, TimeUnit.SECONDS).send();

    List<SpanData> all = awaitSpans(2);
    SpanData server = ofKind(all, SpanKind.SERVER);
    SpanData client = ofKind(all, SpanKind.CLIENT);
    assertThat(server.getName()).isEqualTo("GET /api/orders/{id}");
    assertThat(server.getAttributes().get(AttributeKey.stringKey("http.route"))).isEqualTo("/api/orders/{id}");
    assertThat(server.getAttributes().get(AttributeKey.stringKey("portico.route.id"))).isEqualTo("order");
    assertThat(server.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
    assertThat(server.getParentSpanContext().isValid()).as("a new trace").isFalse();
    assertThat(client.getName()).isEqualTo("GET");
    assertThat(client.getAttributes().get(AttributeKey.stringKey("url.full"))).isEqualTo(upstream.uri() + "/api/orders/42");
    assertThat(client.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo((long) upstream.port());
    assertThat(client.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
    Await.until("access log entry", () -> !accessLog.isEmpty());
    assertThat(accessLog.get(0).traceId()).hasValue(server.getTraceId());
  }

  @Test
  void aFailedUpstreamCallIsAnErrorSpan() throws Exception {
    host.client().newRequest(host.uri("/down/x")).timeout(10, TimeUnit.SECONDS).send();

    List<SpanData> all = awaitSpans(2);
    assertThat(ofKind(all, SpanKind.CLIENT).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(ofKind(all, SpanKind.SERVER).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(ofKind(all, SpanKind.CLIENT).getEvents()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("exception"));
  }
}
