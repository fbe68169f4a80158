package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.AccessLog;
import dev.portico.gateway.Gateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The observability and operations pages. */
final class OperationsSnippets {
  private OperationsSnippets() {}

  static Gateway requestIdHeader() {
    // tag::request-id[]
    Gateway gateway = Gateway.builder()
        .requestIdHeader("X-Correlation-Id")      // read from clients, sent upstream, returned
        .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080"))
        .build();
    // end::request-id[]
    return gateway;
  }

  static Gateway accessLogLevels() {
    // tag::access-log-levels[]
    Logger log = LoggerFactory.getLogger("acme.gateway.access");
    AccessLog byOutcome = entry -> {           // once per exchange, on the thread that finished it
      if (entry.outcome().equals("ok")) {
        log.info(entry.toLine());
      } else {                                 // problem, client-abort, upstream-abort
        log.warn(entry.toLine());
      }
    };

    Gateway gateway = Gateway.builder()
        .accessLog(byOutcome)                  // replaces the default logger; AccessLog.disabled() for none
        .route("orders", r -> r.path("/api/orders/**").upstream("http://orders:8080"))
        .build();
    // end::access-log-levels[]
    return gateway;
  }
}
