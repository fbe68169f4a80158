package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.servlet.GatewayFilter;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** A Boot application on Jetty with a {@link Gateway} bean of its own, built in Java. */
@SpringBootTest(classes = GatewayBeanOnJettyTest.WithGatewayBean.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = Servers.ON_JETTY)
class GatewayBeanOnJettyTest {
  @LocalServerPort
  int port;

  @Autowired
  Gateway gateway;

  @Autowired
  GatewayFilter filter;

  @Configuration(proxyBeanMethods = false)
  @Import(HostApplication.class)
  static class WithGatewayBean {
    @Bean
    Gateway ordersGateway() {
      return Gateway.builder()
          .route("orders", r -> r.path("/api/orders/**").stripPrefix(1).upstream(Upstreams.ORDERS.uri()).permitAll())
          .build();
    }
  }

  @BeforeEach
  void forgetEarlierRequests() {
    Upstreams.ORDERS.reset();
  }

  @Test
  void mountsTheApplicationsGatewayBean() throws Exception {
    HttpResponse<String> response = Http.get(port, "/api/orders/1");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(Upstreams.ORDERS.takeRequest().target()).isEqualTo("/orders/1");
    assertThat(filter.gateway()).isSameAs(gateway);
  }

  @Test
  void handsEveryPathNoRouteTakesBackToTheApplication() throws Exception {
    assertThat(Http.get(port, "/hello").body()).isEqualTo("hello from the application");
    HttpResponse<String> notFound = Http.get(port, "/nothing-here");
    assertThat(notFound.statusCode()).isEqualTo(404); // Spring MVC's own answer: the gateway handed it back
    assertThat(notFound.body()).doesNotContain("portico.dev/problems");
  }
}
