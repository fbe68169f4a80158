package dev.portico.gateway.spring.boot;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.servlet.GatewayFilter;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link GatewayFilter} that runs the {@link Gateway} bean, told about every exchange by every
 * {@link GatewayObserver} bean, unless the application has a {@link RunningGateway} of its own.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBean(Gateway.class)
class GatewayFilterConfiguration {

  // The servlet container initializes and destroys the filter: Spring must not call anything on it.
  @Bean(name = PorticoAutoConfiguration.FILTER_BEAN_NAME, destroyMethod = "")
  @ConditionalOnMissingBean(RunningGateway.class)
  GatewayFilter porticoGatewayFilter(Gateway gateway, ObjectProvider<GatewayObserver> observers,
      PorticoProperties properties) {
    List<GatewayObserver> all = observers.orderedStream().toList();
    return GatewayFilter.builder(gateway)
        .observer(all.isEmpty() ? GatewayObserver.none() : GatewayObserver.of(all.toArray(GatewayObserver[]::new)))
        .shutdownGrace(properties.shutdownGrace())
        .build();
  }
}
