package dev.portico.gateway.spring.boot;

import dev.portico.gateway.RunningGateway;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The health indicator {@code portico}: UP when every upstream group of the running gateway has an
 * endpoint in rotation and every Redis-backed rate limiter answers a PING, DOWN otherwise, with the
 * details of each group and limiter ({@code management.endpoint.health.show-details}).
 *
 * <p>Applies when Spring Boot's health support is on the class path and the application runs a
 * gateway (a {@code RunningGateway} bean); backs off with
 * {@code management.health.portico.enabled=false} or a bean of the application's named
 * {@code porticoHealthIndicator}. {@code portico.health.redis-timeout} (default 1 s) bounds the
 * wait for the limiters' PINGs.
 */
@AutoConfiguration(afterName = "dev.portico.gateway.spring.boot.PorticoAutoConfiguration")
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(RunningGateway.class)
public final class PorticoHealthContributorAutoConfiguration {
  private static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofSeconds(1);

  /** Created by Spring. */
  public PorticoHealthContributorAutoConfiguration() {}

  /**
   * Nested, so that the enablement condition (a class of Boot's health auto-configuration) is only
   * looked at once the class condition above has found it.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnEnabledHealthIndicator("portico")
  static class EnabledIndicator {
    /** The indicator over the running gateway. */
    @Bean
    @ConditionalOnMissingBean(name = "porticoHealthIndicator")
    HealthIndicator porticoHealthIndicator(ObjectProvider<RunningGateway> gateway, Environment environment) {
      Duration timeout = Binder.get(environment).bind("portico.health.redis-timeout", Duration.class)
          .orElse(DEFAULT_REDIS_TIMEOUT);
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalStateException("portico.health.redis-timeout: " + timeout + " (expected: > 0)");
      }
      return new PorticoHealthIndicator(gateway::getObject, timeout);
    }
  }
}
