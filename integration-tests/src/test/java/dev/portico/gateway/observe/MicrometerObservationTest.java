package dev.portico.gateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.micrometer.MicrometerObservation;
import dev.portico.gateway.test.FakeUpstream;
import dev.portico.gateway.test.GatewayServer;
import dev.portico.gateway.test.RecordedRequest;
import dev.portico.gateway.testing.Await;
import dev.portico.gateway.testing.RefusingPort;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.client.ContentResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MicrometerObservationTest {
  /** What a tracing handler would write into an upstream call: a context of its own. */
  private static final String HANDLERS_TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static final String CLIENTS_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private final Recorder recorder = new Recorder();
  private final ObservationRegistry registry = ObservationRegistry.create();
  private FakeUpstream upstream;
  private GatewayServer host;

  /**
   * Records started and stopped observations; for a receiver, what its getter reads as
   * {@code traceparent}; for a sender, writes a context into the call, as a propagating tracing
   * handler does.
   */
  static final class Recorder implements ObservationHandler<Observation.Context> {
    final List<Observation.Context> stopped = new CopyOnWriteArrayList<>();
    final List<Optional<String>> received = new CopyOnWriteArrayList<>();

    @Override
    @SuppressWarnings("unchecked")
    public void onStart(Observation.Context context) {
      if (context instanceof SenderContext<?> sender) {
        SenderContext<Object> s = (SenderContext<Object>) sender;
        s.getSetter().set(s.getCarrier(), "traceparent", HANDLERS_TRACEPARENT);
      } else if (context instanceof ReceiverContext<?> receiver) {
        ReceiverContext<Object> r = (ReceiverContext<Object>) receiver;
        received.add(Optional.ofNullable(r.getGetter().get(r.getCarrier(), "traceparent")));
      }
    }

    @Override
    public void onStop(Observation.Context context) {
      stopped.add(context);
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
      return true;
    }

    Observation.Context named(String name) {
      return stopped.stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
    }
  }

  @BeforeEach
  void start() throws Exception {
    registry.observationConfig().observationHandler(recorder);
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (host != null) {
      host.close();
    }
    upstream.close();
  }

  private void start(Gateway.Builder gateway) throws Exception {
    host = GatewayServer.builder().handler(JettyGatewayHandler.builder(gateway.build())
        .observer(MicrometerObservation.create(registry))
        .build()).permissiveUris(true).hostAnswer().start();
  }

  private ContentResponse get(String path, String... headers) throws Exception {
    return host.client().newRequest(host.uri(path)).headers(h -> {
      for (int i = 0; i < headers.length; i += 2) {
        h.put(headers[i], headers[i + 1]);
      }
    }).timeout(10, TimeUnit.SECONDS).send();
  }

  private void awaitStopped(int count) {
    Await.until(count + " observations stopped", Duration.ofSeconds(10), () -> recorder.stopped.size() >= count);
  }

  @Test
  void observesEachExchangeWithItsRouteMethodStatusClassAndOutcome() throws Exception {
    start(Gateway.builder().route("orders", r -> r.path("/api/orders/**").upstream(upstream.uri())));

    assertThat(get("/api/orders/1").getStatus()).isEqualTo(200);

    awaitStopped(2);
    Observation.Context exchange = recorder.named(MicrometerObservation.EXCHANGE);
    assertThat(exchange.getContextualName()).isEqualTo("GET orders");
    assertThat(exchange.getLowCardinalityKeyValue("route").getValue()).isEqualTo("orders");
    assertThat(exchange.getLowCardinalityKeyValue("method").getValue()).isEqualTo("GET");
    assertThat(exchange.getLowCardinalityKeyValue("status").getValue()).isEqualTo("2xx");
    assertThat(exchange.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("ok");
    assertThat(exchange.getHighCardinalityKeyValue("url.path").getValue()).isEqualTo("/api/orders/1");
    assertThat(exchange.getError()).isNull();
  }

  @Test
  void observesTheUpstreamCallAsAChildSenderWhoseContextIsSentUpstream() throws Exception {
    start(Gateway.builder().route("orders", r -> r.path("/api/orders/**").upstream(upstream.uri())));

    get("/api/orders/1");

    awaitStopped(2);
    Observation.Context call = recorder.named(MicrometerObservation.UPSTREAM);
    assertThat(call).isInstanceOf(SenderContext.class);
    assertThat(call.getParentObservation().getContextView()).isSameAs(recorder.named(MicrometerObservation.EXCHANGE));
    assertThat(call.getLowCardinalityKeyValue("endpoint").getValue()).isEqualTo("127.0.0.1:" + upstream.port());
    assertThat(call.getLowCardinalityKeyValue("status").getValue()).isEqualTo("2xx");
    assertThat(((SenderContext<?>) call).getRemoteServiceAddress()).isEqualTo(upstream.uri());
    RecordedRequest received = upstream.takeRequest();
    assertThat(received.header("traceparent")).contains(HANDLERS_TRACEPARENT);
  }

  @Test
  void continuesTheClientsTraceWhenNoObservationIsOpenOnTheThread() throws Exception {
    start(Gateway.builder().route("orders", r -> r.path("/api/orders/**").upstream(upstream.uri())));

    get("/api/orders/1", "traceparent", CLIENTS_TRACEPARENT);
    get("/api/orders/2");

    awaitStopped(4);
    assertThat(recorder.received).containsExactly(Optional.of(CLIENTS_TRACEPARENT), Optional.empty());
  }

  @Test
  void aFailedUpstreamCallAndItsExchangeAreRecordedAsErrors() throws Exception {
    start(Gateway.builder().route("down", r -> r.path("/down/**").upstream("http://127.0.0.1:" + RefusingPort.reserve())));

    assertThat(get("/down/x").getStatus()).isEqualTo(502);

    awaitStopped(2);
    Observation.Context call = recorder.named(MicrometerObservation.UPSTREAM);
    assertThat(call.getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("error");
    assertThat(call.getLowCardinalityKeyValue("status").getValue()).isEqualTo("none");
    assertThat(call.getError()).isNotNull();
    Observation.Context exchange = recorder.named(MicrometerObservation.EXCHANGE);
    assertThat(exchange.getLowCardinalityKeyValue("status").getValue()).isEqualTo("5xx");
    assertThat(exchange.getError()).isNotNull();
  }

  @Test
  void refusalsBeforeRoutingAreObservedWithoutARoute() throws Exception {
    start(Gateway.builder().route("api", r -> r.path("/api/**").methods("GET").upstream(upstream.uri())));

    host.client().newRequest(host.uri("/api/x")).method("DELETE").timeout(10, TimeUnit.SECONDS).send();

    awaitStopped(1);
    Observation.Context exchange = recorder.named(MicrometerObservation.EXCHANGE);
    assertThat(exchange.getLowCardinalityKeyValue("route").getValue()).isEqualTo("none");
    assertThat(exchange.getLowCardinalityKeyValue("status").getValue()).isEqualTo("4xx");
    assertThat(exchange.getError()).as("a refusal is an answer, not an error").isNull();
  }

  @Test
  void aRegistryWithoutHandlersIsNotAskedForAnything() {
    MicrometerObservation observer = MicrometerObservation.create(ObservationRegistry.NOOP);
    ExchangeStart start = new ExchangeStart("r1", "GET", "/x", Optional.empty(), Optional.empty(),
        TraceContext.newTrace(), "127.0.0.1");

    assertThat(observer.exchangeStarted(start)).isSameAs(ExchangeObserver.NONE);
  }
}
