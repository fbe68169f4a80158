package dev.portico.gateway.spring.boot;

import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.config.ConfigWatch;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The actuator endpoint {@code portico} ({@link PorticoEndpoint}): routes, upstream health, rate
 * limiters, the configuration file's version, and {@code explain}.
 *
 * <p>Applies when Spring Boot Actuator is on the class path, the application runs a gateway (a
 * {@code RunningGateway} bean, such as the auto-configured {@code GatewayFilter}) and the endpoint
 * is available (enabled and exposed: {@code management.endpoints.web.exposure.include=portico});
 * backs off when the application defines its own {@code PorticoEndpoint} bean.
 */
@AutoConfiguration(afterName = "dev.portico.gateway.spring.boot.PorticoAutoConfiguration")
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(RunningGateway.class)
public final class PorticoEndpointAutoConfiguration {

  /** Created by Spring. */
  public PorticoEndpointAutoConfiguration() {}

  /**
   * Nested, so that the availability condition (a class of actuator's auto-configuration) is only
   * looked at once the class condition above has found actuator.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnAvailableEndpoint(PorticoEndpoint.class)
  static class AvailableEndpoint {
    /** The endpoint over the running gateway and, when there is one, the configuration file's watch. */
    @Bean
    @ConditionalOnMissingBean
    PorticoEndpoint porticoEndpoint(ObjectProvider<RunningGateway> gateway, ObjectProvider<ConfigWatch> watch) {
      return new PorticoEndpoint(gateway::getObject, watch::getIfAvailable);
    }
  }
}
