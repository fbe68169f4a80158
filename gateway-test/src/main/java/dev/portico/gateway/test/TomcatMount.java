package dev.portico.gateway.test;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.servlet.GatewayFilter;
import dev.portico.gateway.servlet.GatewayServlet;
import jakarta.servlet.http.HttpServlet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.coyote.http2.Http2Protocol;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.websocket.server.WsSci;
import org.jspecify.annotations.Nullable;

/** {@link ServletServer} in Tomcat 11; only loaded when asked for. Not public API. */
final class TomcatMount {
  private TomcatMount() {}

  static ServletServer.Started start(Gateway gateway, String contextPath, boolean h2c, boolean webSocket,
      @Nullable HttpServlet application) throws Exception {
    Path baseDir = Files.createTempDirectory("portico-tomcat");
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    Connector connector = tomcat.getConnector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    if (h2c) {
      connector.addUpgradeProtocol(new Http2Protocol());
    }
    Context context = tomcat.addContext(contextPath, null);
    if (application == null) {
      Wrapper wrapper = Tomcat.addServlet(context, "gateway", new GatewayServlet(gateway));
      wrapper.setAsyncSupported(true);
      wrapper.setLoadOnStartup(0);
      context.addServletMapping("/*", "gateway");
    } else {
      FilterDef filter = new FilterDef();
      filter.setFilterName("gateway");
      filter.setFilter(new GatewayFilter(gateway));
      filter.setAsyncSupported("true");
      context.addFilterDef(filter);
      FilterMap map = new FilterMap();
      map.setFilterName("gateway");
      map.addURLPattern("/*");
      map.setDispatcher("REQUEST");
      map.setDispatcher("ASYNC");
      context.addFilterMapBefore(map);
      Tomcat.addServlet(context, "application", application);
      context.addServletMappingDecoded("/", "application");
    }
    if (webSocket) {
      context.addServletContainerInitializer(new WsSci(), null);
    }
    AutoCloseable stop = () -> {
      try {
        tomcat.stop();
        tomcat.destroy();
      } finally {
        try (Stream<Path> files = Files.walk(baseDir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    };
    try {
      tomcat.start();
    } catch (Exception e) {
      stop.close();
      throw e;
    }
    return new ServletServer.Started(connector.getLocalPort(), stop);
  }
}
