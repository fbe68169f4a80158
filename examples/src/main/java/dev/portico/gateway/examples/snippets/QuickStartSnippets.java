package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;

/** The quick start in the README and on the index page. */
final class QuickStartSnippets {
  private QuickStartSnippets() {}

  static Gateway gateway() {
    // tag::gateway[]
    Gateway gateway = Gateway.builder()
        .route("orders", r -> r
            .path("/api/orders/**")
            .methods("GET", "POST")
            .stripPrefix(1)                              // /api/orders/7 -> /orders/7
            .upstream("http://localhost:9001"))
        .route("static", r -> r
            .path("/static/**")
            .upstream("http://localhost:9002"))
        .build();                                        // validates; immutable from here
    // end::gateway[]
    return gateway;
  }

  static Server jetty(Gateway gateway, Handler hostHandler) throws Exception {
    // tag::jetty[]
    Server server = new Server(8080);
    server.setHandler(new Handler.Sequence(
        JettyGatewayHandler.create(gateway),             // takes what a route matches
        hostHandler));                                   // gets everything else
    server.start();
    // end::jetty[]
    return server;
  }
}
