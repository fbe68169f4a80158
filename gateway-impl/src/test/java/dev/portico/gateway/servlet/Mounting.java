package dev.portico.gateway.servlet;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.testing.GatewayHost;

/**
 * The three ways a host mounts the gateway, for tests that must hold on each: a
 * {@code JettyGatewayHandler} on Jetty 12 core at the root, and a {@link GatewayServlet} under
 * {@code /ctx} in Jetty ee10 and in Tomcat 11, each with its container's Jakarta WebSocket server
 * and speaking HTTP/1.1 and cleartext HTTP/2.
 */
enum Mounting {
  JETTY_CORE {
    @Override
    Running start(Gateway gateway) throws Exception {
      GatewayHost host = GatewayHost.startH2c(gateway);
      return new Running(host.port(), "", host::close);
    }
  },
  JETTY_EE10 {
    @Override
    Running start(Gateway gateway) throws Exception {
      return servlet(ServletContainer.JETTY, gateway);
    }
  },
  TOMCAT {
    @Override
    Running start(Gateway gateway) throws Exception {
      return servlet(ServletContainer.TOMCAT, gateway);
    }
  };

  abstract Running start(Gateway gateway) throws Exception;

  private static Running servlet(ServletContainer container, Gateway gateway) throws Exception {
    ServletContainer.Running running = container.start("/ctx", new GatewayServlet(gateway), true);
    return new Running(running.port(), "/ctx", running::close);
  }

  /** A started host: its port and the path the gateway is mounted at. */
  record Running(int port, String contextPath, AutoCloseable stop) implements AutoCloseable {
    /** Returns the {@code ws://} URI of {@code path} below the mount point. */
    String ws(String path) {
      return "ws://127.0.0.1:" + port + contextPath + path;
    }

    @Override
    public void close() throws Exception {
      stop.close();
    }
  }
}
