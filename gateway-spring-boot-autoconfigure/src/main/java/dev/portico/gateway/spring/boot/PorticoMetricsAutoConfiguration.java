package dev.portico.gateway.spring.boot;

import dev.portico.gateway.observe.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Records Portico's metrics ({@code portico.requests}, {@code portico.upstream.requests}, ...; see
 * {@link MicrometerMetrics}) in the application's Micrometer {@link MeterRegistry}, so they appear
 * in {@code /actuator/metrics} and every registry Boot exports to.
 *
 * <p>Contributes a {@link MicrometerMetrics} bean, a {@code GatewayObserver} the gateway's filter is
 * given. Applies when Micrometer is on the class path and the application has a
 * {@code MeterRegistry} bean; backs off when the application defines its own
 * {@code MicrometerMetrics} bean, or with {@code portico.metrics.enabled=false}.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnClass({MeterRegistry.class, MicrometerMetrics.class})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "portico.metrics.enabled", matchIfMissing = true)
public final class PorticoMetricsAutoConfiguration {

  /** Created by Spring. */
  public PorticoMetricsAutoConfiguration() {}

  /** The gateway's metrics in {@code registry}, with percentile histograms. */
  @Bean
  @ConditionalOnMissingBean
  MicrometerMetrics porticoMetrics(MeterRegistry registry) {
    return MicrometerMetrics.create(registry);
  }
}
