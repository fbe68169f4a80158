package dev.portico.gateway.test;

import dev.portico.gateway.Gateway;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension behind {@link PorticoTest}: per test class, starts the fakes the
 * {@link GatewayUnderTest} method asks for, then the gateway it returns on a
 * {@link GatewayServer}; resolves {@link GatewayServer}, {@link FakeUpstream} and
 * {@link FakeIdentityProvider} parameters; makes the upstreams new again before each test; stops everything
 * after the class, the gateway first. Use it through {@code @PorticoTest}.
 */
public final class PorticoExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PorticoExtension.class);

  /** Made by JUnit, through {@code @PorticoTest}. */
  public PorticoExtension() {}

  /** What one class started. */
  private record Fixture(GatewayServer server, List<FakeUpstream> upstreams, @Nullable FakeIdentityProvider identityProvider) {
    /** Stops the gateway first, then the fakes behind it. */
    void close() throws Exception {
      List<AutoCloseable> all = new ArrayList<>();
      all.add(server);
      all.addAll(upstreams);
      if (identityProvider != null) {
        all.add(identityProvider);
      }
      closeAll(all);
    }
  }

  private static void closeAll(List<? extends AutoCloseable> started) throws Exception {
    Exception failure = null;
    for (AutoCloseable c : started) {
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    Class<?> testClass = context.getRequiredTestClass();
    Method factory = factoryOf(testClass);
    if (factory == null) {
      if (fixture(context) != null) {
        return;   // a @Nested class: the enclosing class's gateway serves it
      }
      throw new ExtensionConfigurationException(testClass.getName()
          + ": a @PorticoTest class needs one static method annotated @GatewayUnderTest that returns the Gateway");
    }
    List<AutoCloseable> started = new ArrayList<>();
    List<FakeUpstream> upstreams = new ArrayList<>();
    FakeIdentityProvider identityProvider = null;
    try {
      Object[] arguments = new Object[factory.getParameterCount()];
      Parameter[] parameters = factory.getParameters();
      for (int i = 0; i < parameters.length; i++) {
        Class<?> type = parameters[i].getType();
        if (type == FakeUpstream.class) {
          FakeUpstream upstream = FakeUpstream.start();
          started.add(upstream);
          upstreams.add(upstream);
          arguments[i] = upstream;
        } else if (type == FakeIdentityProvider.class) {
          if (identityProvider == null) {
            identityProvider = FakeIdentityProvider.start();
            started.add(identityProvider);
          }
          arguments[i] = identityProvider;
        } else {
          throw new ExtensionConfigurationException(factory + ": parameter " + parameters[i].getName() + " of type "
              + type.getName() + " (expected: FakeUpstream or FakeIdentityProvider)");
        }
      }
      factory.setAccessible(true);
      Object made;
      try {
        made = factory.invoke(null, arguments);
      } catch (InvocationTargetException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
      GatewayServer server;
      if (made instanceof Gateway gateway) {
        server = GatewayServer.start(gateway);
      } else if (made instanceof GatewayServer.Builder builder) {
        server = builder.start();
      } else {
        throw new ExtensionConfigurationException(factory + " returned " + made
            + " (expected: a Gateway or a GatewayServer.Builder)");
      }
      context.getStore(NAMESPACE).put(Fixture.class, new Fixture(server, List.copyOf(upstreams), identityProvider));
    } catch (Exception e) {
      try {
        closeAll(started);
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    Fixture fixture = context.getStore(NAMESPACE).remove(Fixture.class, Fixture.class);
    if (fixture != null) {
      fixture.close();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Fixture fixture = fixture(context);
    if (fixture != null) {
      fixture.upstreams().forEach(FakeUpstream::restore);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    return type == GatewayServer.class || type == FakeUpstream.class || type == FakeIdentityProvider.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Fixture fixture = fixture(extensionContext);
    if (fixture == null) {
      throw new ParameterResolutionException("no gateway started yet for " + parameterContext.getDeclaringExecutable()
          + " (a @PorticoTest class's fixtures exist from its @BeforeAll methods on)");
    }
    Class<?> type = parameterContext.getParameter().getType();
    if (type == GatewayServer.class) {
      return fixture.server();
    }
    if (type == FakeIdentityProvider.class) {
      if (fixture.identityProvider() == null) {
        throw new ParameterResolutionException("no FakeIdentityProvider: add one as a parameter of the @GatewayUnderTest method");
      }
      return fixture.identityProvider();
    }
    Executable executable = parameterContext.getDeclaringExecutable();
    int index = (int) Arrays.stream(executable.getParameters()).limit(parameterContext.getIndex())
        .filter(p -> p.getType() == FakeUpstream.class).count();
    if (index >= fixture.upstreams().size()) {
      throw new ParameterResolutionException(executable + " asks for FakeUpstream number " + (index + 1) + " of "
          + fixture.upstreams().size() + " (the @GatewayUnderTest method's FakeUpstream parameters start them)");
    }
    return fixture.upstreams().get(index);
  }

  private static @Nullable Fixture fixture(ExtensionContext context) {
    return context.getStore(NAMESPACE).get(Fixture.class, Fixture.class);
  }

  private static @Nullable Method factoryOf(Class<?> testClass) {
    Method found = null;
    for (Class<?> c = testClass; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.isAnnotationPresent(GatewayUnderTest.class)) {
          if (!Modifier.isStatic(m.getModifiers())) {
            throw new ExtensionConfigurationException(m + ": a @GatewayUnderTest method must be static");
          }
          if (found != null) {
            throw new ExtensionConfigurationException(testClass.getName() + ": two @GatewayUnderTest methods, "
                + found.getName() + " and " + m.getName());
          }
          found = m;
        }
      }
      if (found != null) {
        return found;
      }
    }
    return null;
  }
}
