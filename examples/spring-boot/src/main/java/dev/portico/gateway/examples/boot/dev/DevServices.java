package dev.portico.gateway.examples.boot.dev;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Profile;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.stereotype.Component;

/**
 * In the dev profile, starts the two fake backends and the development token issuer on free
 * loopback ports, and points the properties {@code application.yaml} reads at them
 * ({@code backends.orders}, {@code backends.inventory}, {@code auth.issuer}, {@code auth.jwks-uri}).
 * DEVELOPMENT ONLY.
 *
 * <p>It is a {@link BeanFactoryPostProcessor} so that it runs before any bean is made: the gateway,
 * built from the {@code portico.*} properties, sees the fakes' addresses. The fakes stop when the
 * application does, after the gateway has drained.
 */
@Component
@Profile("dev")
final class DevServices implements BeanFactoryPostProcessor, EnvironmentAware, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DevServices.class);

  private final List<AutoCloseable> started = Collections.synchronizedList(new ArrayList<>());
  private @Nullable ConfigurableEnvironment environment;
  private volatile @Nullable DevTokenIssuer issuer;

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = (ConfigurableEnvironment) environment;
  }

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    if (environment == null) {
      throw new IllegalStateException("no environment");
    }
    try {
      FakeBackend orders = started(FakeBackend.start("orders"));
      FakeBackend inventory = started(FakeBackend.start("inventory"));
      DevTokenIssuer issuer = started(DevTokenIssuer.start());
      this.issuer = issuer;
      // First: these win over application.yaml's production addresses.
      environment.getPropertySources().addFirst(new MapPropertySource("devServices", Map.of(
          "backends.orders", orders.uri(),
          "backends.inventory", inventory.uri(),
          "auth.issuer", issuer.issuer(),
          "auth.jwks-uri", issuer.jwksUri())));
      LOG.info("dev profile: backends {} and {}, DEVELOPMENT token issuer at {}", orders, inventory, issuer.issuer());
    } catch (Exception e) {
      close();
      throw new IllegalStateException("dev profile: cannot start the fake backends and token issuer", e);
    }
  }

  /** The token issuer, once started. */
  DevTokenIssuer issuer() {
    if (issuer == null) {
      throw new IllegalStateException("the dev services have not started");
    }
    return issuer;
  }

  private <T extends AutoCloseable> T started(T service) {
    started.add(service);
    return service;
  }

  /** Stops the fakes; Spring calls it when the application stops. */
  @Override
  public void close() {
    for (AutoCloseable service : started) {
      try {
        service.close();
      } catch (Exception e) {
        LOG.warn("dev profile: cannot stop {}", service, e);
      }
    }
    started.clear();
  }
}
