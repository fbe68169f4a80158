package dev.portico.gateway.spring.boot;

/** The embedded servers the applications run on: both are on the test class path, so each excludes the other. */
final class Servers {
  static final String TOMCAT_AUTO_CONFIGURATION =
      "org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration";
  static final String JETTY_AUTO_CONFIGURATION =
      "org.springframework.boot.jetty.autoconfigure.servlet.JettyServletWebServerAutoConfiguration";

  /** A property that runs the application on Tomcat. */
  static final String ON_TOMCAT = "spring.autoconfigure.exclude=" + JETTY_AUTO_CONFIGURATION;
  /** A property that runs the application on Jetty. */
  static final String ON_JETTY = "spring.autoconfigure.exclude=" + TOMCAT_AUTO_CONFIGURATION;

  private Servers() {}
}
