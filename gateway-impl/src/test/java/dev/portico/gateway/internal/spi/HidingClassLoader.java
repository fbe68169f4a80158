package dev.portico.gateway.internal.spi;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;

/**
 * The test class path as a host without some libraries sees it: every entry loaded afresh (the
 * parent is the platform loader, so nothing comes from the test's own loader), minus the jars of
 * the hidden libraries, and any class of a hidden package refused by name as well.
 */
final class HidingClassLoader extends URLClassLoader {
  /**
   * The optional libraries of gateway-impl (those it always had optional, Lettuce, Micrometer,
   * OpenTelemetry and websocket-core, included), and the compression jars jetty-client would bring.
   */
  static final List<String> OPTIONAL_PACKAGES = List.of(
      "com.networknt.", "com.ethlo.time.", "io.github.resilience4j.", "com.google.crypto.tink.",
      "com.google.gson.", "com.google.errorprone.", "javax.annotation.", "org.eclipse.jetty.compression.",
      "org.eclipse.jetty.http2.", "org.eclipse.jetty.alpn.java.", "io.lettuce.", "io.netty.",
      "io.github.bucket4j.redis.", "io.micrometer.", "io.opentelemetry.", "org.eclipse.jetty.websocket.",
      "com.github.benmanes.caffeine.");

  private final List<String> hidden;

  private HidingClassLoader(URL[] urls, List<String> hidden) {
    super("hiding", urls, ClassLoader.getPlatformClassLoader());
    this.hidden = hidden;
  }

  /** A loader over the test class path without the classes under {@code hiddenPackages}. */
  static HidingClassLoader without(List<String> hiddenPackages) {
    String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<URL> urls = new ArrayList<>();
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isEmpty() || hidesJar(entry, hiddenPackages)) {
        continue;
      }
      try {
        urls.add(new File(entry).toURI().toURL());
      } catch (MalformedURLException e) {
        throw new IllegalStateException(entry, e);
      }
    }
    return new HidingClassLoader(urls.toArray(URL[]::new), hiddenPackages);
  }

  /** Whether the jar at {@code entry} lies in a hidden package's Maven directory. */
  private static boolean hidesJar(String entry, List<String> hiddenPackages) {
    String normalized = entry.replace(File.separatorChar, '/');
    for (String prefix : hiddenPackages) {
      if (normalized.contains("/" + prefix.replace('.', '/'))) {
        return true;
      }
    }
    return false;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    for (String prefix : hidden) {
      if (name.startsWith(prefix)) {
        throw new ClassNotFoundException(name + " (hidden by the test)");
      }
    }
    return super.loadClass(name, resolve);
  }

  /**
   * Runs {@code Probes.<method>()} in this loader and returns what it returned; an exception it
   * threw comes back as it was.
   */
  String run(String method) throws Exception {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(this);
    try {
      return (String) loadClass(Probes.class.getName()).getMethod(method).invoke(null);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  @Override
  public void close() {
    try {
      super.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
