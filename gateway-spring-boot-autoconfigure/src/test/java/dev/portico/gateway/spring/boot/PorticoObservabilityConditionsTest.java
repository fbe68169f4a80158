package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.observe.micrometer.MicrometerMetrics;
import dev.portico.gateway.observe.micrometer.MicrometerObservation;
import dev.portico.gateway.servlet.GatewayFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Which beans the observability auto-configurations contribute, and when they back off: a host
 * without actuator, Micrometer or the Observation API still starts, and a user's bean of each type
 * wins.
 */
class PorticoObservabilityConditionsTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(
          SimpleMetricsExportAutoConfiguration.class, MetricsAutoConfiguration.class,
          ObservationAutoConfiguration.class, EndpointAutoConfiguration.class, HealthContributorAutoConfiguration.class,
          PorticoMetricsAutoConfiguration.class, PorticoObservationAutoConfiguration.class,
          PorticoEndpointAutoConfiguration.class, PorticoHealthContributorAutoConfiguration.class))
      .withPropertyValues("management.endpoints.web.exposure.include=portico")
      .withUserConfiguration(GatewayConfiguration.class);

  @Configuration(proxyBeanMethods = false)
  static class GatewayConfiguration {
    @Bean
    GatewayFilter porticoGatewayFilter() {
      return new GatewayFilter(Gateway.builder().route("a", r -> r.path("/a/**").upstream("http://127.0.0.1:9")).build());
    }
  }

  @Test
  void everythingIsContributedWhenTheApplicationHasActuatorMicrometerAndAGateway() {
    runner.run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).hasSingleBean(MicrometerMetrics.class).hasSingleBean(MicrometerObservation.class)
          .hasSingleBean(PorticoEndpoint.class).hasBean("porticoHealthIndicator");
      assertThat(context.getBeansOfType(GatewayObserver.class)).hasSize(2);
      // the filter is not started here: no upstream state yet, so nothing is down
      assertThat(context.getBean("porticoHealthIndicator", HealthIndicator.class).health().getStatus().getCode())
          .isEqualTo("UP");
    });
  }

  @Test
  void aHostWithoutActuatorMicrometerOrObservationStartsWithNoneOfTheirBeans() {
    new ApplicationContextRunner()
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health",
            "io.micrometer"))
        .withConfiguration(AutoConfigurations.of(PorticoMetricsAutoConfiguration.class,
            PorticoObservationAutoConfiguration.class, PorticoEndpointAutoConfiguration.class,
            PorticoHealthContributorAutoConfiguration.class))
        .withPropertyValues("management.endpoints.web.exposure.include=portico")
        .withUserConfiguration(GatewayConfiguration.class)
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean("porticoMetrics").doesNotHaveBean("porticoObservation")
              .doesNotHaveBean("porticoEndpoint").doesNotHaveBean("porticoHealthIndicator");
          assertThat(context).hasSingleBean(RunningGateway.class);
        });
  }

  @Test
  void nothingIsContributedWithoutARegistryOrAGateway() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(PorticoMetricsAutoConfiguration.class,
            PorticoObservationAutoConfiguration.class, EndpointAutoConfiguration.class,
            PorticoEndpointAutoConfiguration.class, PorticoHealthContributorAutoConfiguration.class))
        .withPropertyValues("management.endpoints.web.exposure.include=portico")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(MicrometerMetrics.class).doesNotHaveBean(MicrometerObservation.class)
              .doesNotHaveBean(PorticoEndpoint.class).doesNotHaveBean("porticoHealthIndicator");
        });
  }

  @Test
  void theApplicationsOwnBeansWin() {
    runner.withUserConfiguration(OwnBeans.class).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(MicrometerMetrics.class)).isSameAs(OwnBeans.METRICS);
      assertThat(context.getBean(MicrometerObservation.class)).isSameAs(OwnBeans.OBSERVATION);
      assertThat(context.getBean(PorticoEndpoint.class)).isSameAs(OwnBeans.ENDPOINT);
      assertThat(context.getBean("porticoHealthIndicator")).isSameAs(OwnBeans.HEALTH);
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnBeans {
    static final MicrometerMetrics METRICS = MicrometerMetrics.builder(new SimpleMeterRegistry())
        .percentileHistogram(false).build();
    static final MicrometerObservation OBSERVATION = MicrometerObservation.create(ObservationRegistry.create());
    static final PorticoEndpoint ENDPOINT = new PorticoEndpoint(() -> {
      throw new IllegalStateException("not used");
    }, () -> null);
    static final HealthIndicator HEALTH = () -> Health.up().build();

    @Bean
    MicrometerMetrics ownMetrics() {
      return METRICS;
    }

    @Bean
    MicrometerObservation ownObservation() {
      return OBSERVATION;
    }

    @Bean
    PorticoEndpoint ownEndpoint() {
      return ENDPOINT;
    }

    @Bean
    HealthIndicator porticoHealthIndicator() {
      return HEALTH;
    }
  }

  @Test
  void propertiesTurnEachOff() {
    runner.withPropertyValues("portico.metrics.enabled=false", "portico.observation.enabled=false",
            "management.health.portico.enabled=false", "management.endpoint.portico.access=NONE")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(MicrometerMetrics.class).doesNotHaveBean(MicrometerObservation.class)
              .doesNotHaveBean(PorticoEndpoint.class).doesNotHaveBean("porticoHealthIndicator");
          assertThat(context).hasSingleBean(MeterRegistry.class).hasSingleBean(ObservationRegistry.class);
        });
  }

  @Test
  void theEndpointIsNotContributedUnlessExposed() {
    runner.withPropertyValues("management.endpoints.web.exposure.include=health")
        .run(context -> assertThat(context).doesNotHaveBean(PorticoEndpoint.class));
  }

  @Test
  void aBadRedisTimeoutFailsStartupNamingTheProperty() {
    runner.withPropertyValues("portico.health.redis-timeout=0s").run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("portico.health.redis-timeout");
    });
  }
}
