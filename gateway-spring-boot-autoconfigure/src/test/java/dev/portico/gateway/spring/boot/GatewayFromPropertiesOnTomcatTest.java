package dev.portico.gateway.spring.boot;

import org.springframework.boot.test.context.SpringBootTest;

/** {@link GatewayFromPropertiesContract} on embedded Tomcat. */
@SpringBootTest(classes = HostApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = Servers.ON_TOMCAT)
class GatewayFromPropertiesOnTomcatTest extends GatewayFromPropertiesContract {
  @Override
  String expectedServer() {
    return "TomcatWebServer";
  }
}
