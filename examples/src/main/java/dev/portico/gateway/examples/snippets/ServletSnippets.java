package dev.portico.gateway.examples.snippets;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.servlet.GatewayFilter;
import dev.portico.gateway.servlet.GatewayServlet;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.util.EnumSet;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.websocket.server.WsSci;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;

/** Mounting the gateway as a servlet or a servlet filter: Jetty 12 ee10 and Tomcat 11. */
final class ServletSnippets {
  private ServletSnippets() {}

  static void servletInContext(Gateway gateway, ServletContextHandler context) {
    // tag::servlet[]
    ServletHolder holder = new ServletHolder(new GatewayServlet(gateway));
    holder.setAsyncSupported(true);                      // the servlet never blocks a thread
    context.addServlet(holder, "/*");
    // end::servlet[]
  }

  static Server jettyEe10(Gateway gateway) throws Exception {
    // tag::jetty-ee10[]
    Server server = new Server(8080);
    ServletContextHandler context = new ServletContextHandler("/");

    ServletHolder holder = new ServletHolder("gateway", new GatewayServlet(gateway));
    holder.setAsyncSupported(true);                      // required: responses complete asynchronously
    holder.setInitOrder(0);                              // start the upstream clients with the server
    context.addServlet(holder, "/*");

    server.setHandler(context);
    server.start();
    // end::jetty-ee10[]
    return server;
  }

  static Tomcat tomcat(Gateway gateway) throws Exception {
    // tag::tomcat[]
    Tomcat tomcat = new Tomcat();
    tomcat.setPort(8080);
    tomcat.getConnector();                               // creates the HTTP connector

    Context context = tomcat.addContext("", null);
    Wrapper wrapper = Tomcat.addServlet(context, "gateway", new GatewayServlet(gateway));
    wrapper.setAsyncSupported(true);                     // required: responses complete asynchronously
    wrapper.setLoadOnStartup(0);                         // start the upstream clients with the server
    context.addServletMapping("/*", "gateway");

    tomcat.start();
    // end::tomcat[]
    return tomcat;
  }

  static void webSocketOnJettyEe10(ServletContextHandler context) {
    // tag::websocket-jetty-ee10[]
    // Before server.start(): Jetty's Jakarta WebSocket server for this context, which
    // GatewayServlet switches the client's connection with on websocket() routes.
    JakartaWebSocketServletContainerInitializer.configure(context, null);
    // end::websocket-jetty-ee10[]
  }

  static void webSocketOnTomcat(Context context) {
    // tag::websocket-tomcat[]
    // Before tomcat.start(): Tomcat's Jakarta WebSocket server for this context (a context
    // added with addWebapp(...) finds it by itself when tomcat-embed-websocket is there).
    context.addServletContainerInitializer(new WsSci(), null);
    // end::websocket-tomcat[]
  }

  static void filterOnJettyEe10(Gateway gateway, ServletContextHandler context, HttpServlet app) {
    // tag::filter-jetty-ee10[]
    FilterHolder gatewayFilter = new FilterHolder(new GatewayFilter(gateway));
    gatewayFilter.setAsyncSupported(true);               // required: responses complete asynchronously
    context.addFilter(gatewayFilter, "/*",              // ASYNC: WebSocket upgrades switch in an async dispatch
        EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    context.addServlet(new ServletHolder("app", app), "/");  // gets every request no route matches
    // end::filter-jetty-ee10[]
  }

  static void filterOnTomcat(Gateway gateway, Context context, HttpServlet app) {
    // tag::filter-tomcat[]
    FilterDef gatewayFilter = new FilterDef();
    gatewayFilter.setFilterName("gateway");
    gatewayFilter.setFilter(new GatewayFilter(gateway));
    gatewayFilter.setAsyncSupported("true");            // required: responses complete asynchronously
    context.addFilterDef(gatewayFilter);
    FilterMap mapping = new FilterMap();
    mapping.setFilterName("gateway");
    mapping.addURLPattern("/*");
    mapping.setDispatcher("REQUEST");
    mapping.setDispatcher("ASYNC");                      // WebSocket upgrades switch in an async dispatch
    context.addFilterMapBefore(mapping);                 // ahead of the application's own filters

    Tomcat.addServlet(context, "app", app);
    context.addServletMappingDecoded("/", "app");        // gets every request no route matches
    // end::filter-tomcat[]
  }
}
