package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** The getting-started page: a first route and mounting on Jetty 12 core. */
final class GettingStartedSnippets {
  private GettingStartedSnippets() {}

  static Gateway firstRoute() {
    // tag::first-route[]
    Gateway gateway = Gateway.builder()
        .route("hello", r -> r
            .path("/hello/**")                  // /hello and every path below it
            .methods("GET")
            .upstream("http://localhost:9000"))
        .build();
    // end::first-route[]
    return gateway;
  }

  static Server jettyCore(Gateway gateway, Handler hostHandler) throws Exception {
    // tag::jetty-core[]
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setPort(8080);
    server.addConnector(connector);

    // The gateway handles what its routes match and returns false for the rest,
    // so the next handler in the sequence (the host's own) gets those requests.
    server.setHandler(new Handler.Sequence(
        JettyGatewayHandler.create(gateway),
        hostHandler));

    server.start();   // also starts the gateway's upstream HTTP clients
    // end::jetty-core[]
    return server;
  }

  static Server jettyGatewayOnly(Gateway gateway) throws Exception {
    // tag::jetty-alone[]
    Server server = new Server(8080);
    server.setHandler(JettyGatewayHandler.create(gateway));
    server.start();
    // end::jetty-alone[]
    return server;
  }
}
