package dev.portico.gateway.spring.boot;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link GatewayFromPropertiesContract} on embedded Jetty. */
@SpringBootTest(classes = HostApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = Servers.ON_JETTY)
class GatewayFromPropertiesOnJettyTest extends GatewayFromPropertiesContract {
  @Override
  String expectedServer() {
    return "JettyServletWebServer";
  }
}
