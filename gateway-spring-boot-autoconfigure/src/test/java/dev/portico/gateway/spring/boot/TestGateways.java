package dev.portico.gateway.spring.boot;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.servlet.GatewayFilter;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.core.Ordered;

/**
 * What the core auto-configuration does for the application, done by hand in the tests (it is
 * written on another branch): the gateway as a {@link GatewayFilter} bean given every
 * {@link GatewayObserver} bean, mounted ahead of Spring MVC for REQUEST and ASYNC dispatches.
 */
final class TestGateways {
  private TestGateways() {}

  static GatewayFilter filter(Gateway gateway, ObjectProvider<GatewayObserver> observers) {
    return GatewayFilter.builder(gateway)
        .observer(GatewayObserver.of(observers.orderedStream().toArray(GatewayObserver[]::new)))
        .build();
  }

  static FilterRegistrationBean<GatewayFilter> registration(GatewayFilter filter) {
    FilterRegistrationBean<GatewayFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("portico");
    registration.setAsyncSupported(true);
    registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
    registration.addUrlPatterns("/*");
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
    return registration;
  }
}
