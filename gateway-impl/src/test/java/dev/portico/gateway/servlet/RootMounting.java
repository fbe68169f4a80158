package dev.portico.gateway.servlet;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.testing.GatewayHost;

/**
 * The three ways a host mounts the gateway, each on an ephemeral loopback port that speaks HTTP/1.1
 * and cleartext HTTP/2 (prior knowledge): the Jetty core handler, and {@link GatewayServlet} in
 * Jetty ee10 and in Tomcat 11 (at the root context).
 */
enum RootMounting {
  JETTY_HANDLER {
    @Override
    Started start(Gateway gateway) throws Exception {
      GatewayHost host = GatewayHost.startH2c(gateway);
      return new Started(host.port(), host::close);
    }
  },
  JETTY_SERVLET {
    @Override
    Started start(Gateway gateway) throws Exception {
      ServletContainer.Running running = ServletContainer.JETTY.start("", new GatewayServlet(gateway));
      return new Started(running.port(), running::close);
    }
  },
  TOMCAT_SERVLET {
    @Override
    Started start(Gateway gateway) throws Exception {
      ServletContainer.Running running = ServletContainer.TOMCAT.start("", new GatewayServlet(gateway));
      return new Started(running.port(), running::close);
    }
  };

  abstract Started start(Gateway gateway) throws Exception;

  /** A started host: its port; {@link #close()} stops it. */
  record Started(int port, AutoCloseable stop) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      stop.close();
    }
  }
}
