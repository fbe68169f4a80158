package dev.portico.gateway.spring.boot;

import dev.portico.gateway.observe.micrometer.MicrometerObservation;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Records an observation per exchange ({@code portico.exchange}) and per upstream call
 * ({@code portico.upstream}) in the application's Micrometer {@link ObservationRegistry}: with
 * Micrometer Tracing (over OpenTelemetry or Brave) they become spans in the request's trace, and
 * the upstream call's context is sent upstream in {@code traceparent}. See
 * {@link MicrometerObservation}.
 *
 * <p>Contributes a {@link MicrometerObservation} bean, a {@code GatewayObserver} the gateway's
 * filter is given. Applies when the Observation API is on the class path and the application has
 * an {@code ObservationRegistry} bean; backs off when the application defines its own
 * {@code MicrometerObservation} bean, or with {@code portico.observation.enabled=false}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass({ObservationRegistry.class, MicrometerObservation.class})
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "portico.observation.enabled", matchIfMissing = true)
public final class PorticoObservationAutoConfiguration {

  /** Created by Spring. */
  public PorticoObservationAutoConfiguration() {}

  /** The gateway's observations in {@code registry}. */
  @Bean
  @ConditionalOnMissingBean
  MicrometerObservation porticoObservation(ObservationRegistry registry) {
    return MicrometerObservation.create(registry);
  }
}
