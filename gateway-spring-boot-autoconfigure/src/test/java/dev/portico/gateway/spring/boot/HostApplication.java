package dev.portico.gateway.spring.boot;

import dev.portico.gateway.Filter;
import dev.portico.gateway.observe.ExchangeObserver;
import dev.portico.gateway.observe.GatewayObserver;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application the tests run: a controller of its own, a servlet filter that must run first, a
 * gateway filter bean a configuration names ({@code audit}) and two gateway observers.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(HostApplication.Endpoints.class)
class HostApplication {
  /** The request URIs the first servlet filter saw, in order. */
  static final List<String> FIRST_FILTER_SAW = new CopyOnWriteArrayList<>();
  /** What the two observers saw, as "first:/path" and "second:/path", in order. */
  static final List<String> OBSERVED = new CopyOnWriteArrayList<>();

  @RestController
  static class Endpoints {
    @GetMapping("/hello")
    String hello() {
      return "hello from the application";
    }

    @PutMapping("/app/form")
    String form(@RequestParam("a") String a) {
      return "the application read a=" + a;
    }
  }

  /** A filter that must come before the gateway, as Boot's CharacterEncodingFilter does. */
  @Bean
  FilterRegistrationBean<jakarta.servlet.Filter> firstFilter() {
    FilterRegistrationBean<jakarta.servlet.Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
      FIRST_FILTER_SAW.add(((HttpServletRequest) request).getRequestURI());
      chain.doFilter(request, response);
    });
    registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return registration;
  }

  /** A gateway filter configurations name as {@code audit}: the upstream sees {@code X-Audit: seen}. */
  @Bean
  Filter audit() {
    return (exchange, chain) -> chain.proceed(exchange.withRequest(
        exchange.request().toBuilder().header("X-Audit", "seen").build()));
  }

  @Bean
  @Order(2)
  GatewayObserver secondObserver() {
    return start -> {
      OBSERVED.add("second:" + start.path());
      return new ExchangeObserver() {};
    };
  }

  @Bean
  @Order(1)
  GatewayObserver firstObserver() {
    return start -> {
      OBSERVED.add("first:" + start.path());
      return new ExchangeObserver() {};
    };
  }
}
