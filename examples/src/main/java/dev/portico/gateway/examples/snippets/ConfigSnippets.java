package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Filter;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.admin.AdminHandler;
import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.ConfigWatch;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.jetty.JettyGatewayHandler;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.observe.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/** The configuration-files page: a gateway read from a file, with the host's own objects. */
final class ConfigSnippets {
  private ConfigSnippets() {}

  static JettyGatewayHandler load() {
    // tag::load[]
    Gateway gateway = GatewayConfig.load(Path.of("/etc/portico/gateway.yaml"));
    JettyGatewayHandler handler = JettyGatewayHandler.create(gateway);   // mount it as usual
    // end::load[]
    return handler;
  }

  static Gateway registry(Filter auditFilter) {
    // tag::registry[]
    GatewayConfig config = GatewayConfig.builder()
        .filter("audit", auditFilter)            // the file says: filters: [audit]
        .build();                                // immutable; read as many files as you like
    Gateway gateway = config.read(Path.of("gateway.yaml"));
    // end::registry[]
    return gateway;
  }

  static void errors() {
    // tag::errors[]
    try {
      GatewayConfig.load(Path.of("gateway.yaml"));
    } catch (ConfigException e) {
      for (ConfigException.Problem problem : e.problems()) {
        System.err.println(problem);             // gateway.yaml:14:7 routes[2].upstream: ...
      }
    }
    // end::errors[]
  }

  static ConfigWatch watch(Path file) {
    // tag::watch[]
    Gateway first = GatewayConfig.load(file);
    JettyGatewayHandler handler = JettyGatewayHandler.create(first);
    // ... mount and start the handler, then:
    ConfigWatch watch = GatewayConfig.watch(file, handler);   // close() to stop watching
    // end::watch[]
    return watch;
  }

  static AdminHandler watchStatus(Path file, MeterRegistry registry) {
    // tag::watch-status[]
    GatewayObserver metrics = MicrometerMetrics.create(registry);
    JettyGatewayHandler handler = JettyGatewayHandler.builder(GatewayConfig.load(file)).observer(metrics).build();
    ConfigWatch watch = GatewayConfig.builder().build()
        .follow(file, handler, metrics);                 // counts portico.config.reloads{outcome}
    AdminHandler admin = AdminHandler.builder(handler)
        .configuration(watch::status)                    // GET /configuration: version, reloads, last error
        .build();
    // end::watch-status[]
    return admin;
  }
}
