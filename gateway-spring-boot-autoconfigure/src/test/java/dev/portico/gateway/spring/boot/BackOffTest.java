package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.gateway.Explanation;
import dev.portico.gateway.Gateway;
import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.auth.AuthResult;
import dev.portico.gateway.auth.Authenticator;
import dev.portico.gateway.config.ConfigWatch;
import dev.portico.gateway.config.GatewayConfig;
import dev.portico.gateway.servlet.GatewayFilter;
import dev.portico.gateway.upstream.EndpointStatus;
import jakarta.servlet.DispatcherType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;

/**
 * What the auto-configuration makes, and that each of its beans gives way to one of the
 * application's own. A context without a server: the real applications are the other tests'.
 */
class BackOffTest {
  private static final String[] ONE_ROUTE = {"portico.routes[0].id=a", "portico.routes[0].path=/a/**",
      "portico.routes[0].upstream=http://127.0.0.1:1", "portico.routes[0].permitAll=true"};

  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(PorticoAutoConfiguration.class));

  @Test
  void mountsTheGatewayOfThePropertiesAheadOfTheApplicationsFilters() {
    runner.withPropertyValues(ONE_ROUTE).run(context -> {
      assertThat(context).hasSingleBean(Gateway.class).hasSingleBean(GatewayFilter.class)
          .hasSingleBean(RunningGateway.class).hasSingleBean(PorticoShutdown.class).doesNotHaveBean(ConfigWatch.class);
      FilterRegistrationBean<?> registration = context.getBean(PorticoAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME,
          FilterRegistrationBean.class);
      assertThat(registration.getFilter()).isSameAs(context.getBean(GatewayFilter.class));
      assertThat(registration.getOrder()).isEqualTo(-10100);
      assertThat(registration.getUrlPatterns()).containsExactly("/*");
      assertThat(registration.isAsyncSupported()).isTrue();
      assertThat(registration.determineDispatcherTypes()).containsExactlyInAnyOrder(DispatcherType.REQUEST,
          DispatcherType.ASYNC);
      assertThat(context.getBean(GatewayFilter.class).gateway()).isSameAs(context.getBean(Gateway.class));
    });
  }

  @Test
  void takesTheFilterOrderAndUrlPatternsFromProperties() {
    runner.withPropertyValues(ONE_ROUTE).withPropertyValues("portico.filter.order=7",
        "portico.filter.url-patterns=/api/*,/v2/*").run(context -> {
          FilterRegistrationBean<?> registration = context.getBean(FilterRegistrationBean.class);
          assertThat(registration.getOrder()).isEqualTo(7);
          assertThat(registration.getUrlPatterns()).containsExactly("/api/*", "/v2/*");
        });
  }

  @Test
  void makesNothingWhenNoGatewayIsGiven() {
    runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Gateway.class)
        .doesNotHaveBean(GatewayFilter.class).doesNotHaveBean(FilterRegistrationBean.class));
  }

  @Test
  void makesNothingWhenDisabled() {
    runner.withPropertyValues(ONE_ROUTE).withPropertyValues("portico.enabled=false").run(context -> assertThat(context)
        .hasNotFailed().doesNotHaveBean(Gateway.class).doesNotHaveBean(GatewayFilter.class)
        .doesNotHaveBean(FilterRegistrationBean.class));
  }

  @Test
  void mountsTheApplicationsGatewayBeanInsteadOfTheProperties() {
    Gateway own = Gateway.builder().route("own", r -> r.path("/own/**").upstream("http://127.0.0.1:1").permitAll()).build();
    runner.withPropertyValues(ONE_ROUTE).withBean(Gateway.class, () -> own).run(context -> {
      assertThat(context).doesNotHaveBean(PorticoAutoConfiguration.GATEWAY_BEAN_NAME);
      assertThat(context.getBean(GatewayFilter.class).gateway()).isSameAs(own);
    });
  }

  @Test
  void mountsTheApplicationsGatewayFilterBean() {
    GatewayFilter own = new GatewayFilter(Gateway.builder()
        .route("own", r -> r.path("/own/**").upstream("http://127.0.0.1:1").permitAll()).build());
    runner.withBean("ownFilter", GatewayFilter.class, () -> own).run(context -> {
      assertThat(context).doesNotHaveBean(PorticoAutoConfiguration.FILTER_BEAN_NAME);
      assertThat(context.getBean(FilterRegistrationBean.class).getFilter()).isSameAs(own);
      assertThat(context).hasSingleBean(PorticoShutdown.class);
    });
  }

  @Test
  void mountsNoFilterWhenTheApplicationRunsItsOwnGatewayElsewhere() {
    runner.withPropertyValues(ONE_ROUTE).withBean(RunningGateway.class, ElsewhereGateway::new).run(context -> {
      assertThat(context).hasSingleBean(Gateway.class).doesNotHaveBean(GatewayFilter.class)
          .doesNotHaveBean(FilterRegistrationBean.class).doesNotHaveBean(PorticoShutdown.class);
    });
  }

  @Test
  void keepsTheApplicationsFilterRegistrationOfTheSameName() {
    FilterRegistrationBean<GatewayFilter> own = new FilterRegistrationBean<>();
    runner.withPropertyValues(ONE_ROUTE)
        .withBean(PorticoAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME, FilterRegistrationBean.class, () -> own)
        .run(context -> assertThat(context.getBean(PorticoAutoConfiguration.FILTER_REGISTRATION_BEAN_NAME)).isSameAs(own));
  }

  @Test
  void watchesAConfigFileOnTheClassPathOfADirectory() {
    runner.withPropertyValues("portico.config-file=classpath:gateway-on-classpath.yaml").run(context -> {
      assertThat(context.getBean(Gateway.class).routes()).extracting(r -> r.id()).containsExactly("files");
      assertThat(context.getBean(ConfigWatch.class).file()).endsWith(Path.of("gateway-on-classpath.yaml"));
    });
  }

  @Test
  void readsAConfigFileOnceWhenReloadIsOff() {
    runner.withPropertyValues("portico.config-file=classpath:gateway-on-classpath.yaml", "portico.reload=false")
        .run(context -> assertThat(context).hasSingleBean(Gateway.class).doesNotHaveBean(ConfigWatch.class));
  }

  @Test
  void keepsTheApplicationsConfigWatch(@TempDir Path directory) throws Exception {
    Path file = Files.writeString(directory.resolve("gateway.yaml"), Files.readString(
        Path.of("src/test/resources/gateway-on-classpath.yaml")));
    runner.withPropertyValues("portico.config-file=" + file).withBean("ownWatch", ConfigWatch.class,
        () -> GatewayConfig.watch(file, new ElsewhereGateway())).run(context -> {
          assertThat(context).hasSingleBean(ConfigWatch.class).hasBean("ownWatch");
          context.getBean(ConfigWatch.class).close();
        });
  }

  @Test
  void offersTheApplicationsBeansToTheConfigurationByName() {
    Authenticator tokens = request -> CompletableFuture.completedFuture(AuthResult.noCredentials());
    runner.withPropertyValues("portico.routes[0].id=a", "portico.routes[0].path=/a/**",
        "portico.routes[0].upstream=http://127.0.0.1:1", "portico.routes[0].authenticator=tokens")
        .withBean("tokens", Authenticator.class, () -> tokens)
        .run(context -> assertThat(context.getBean(Gateway.class).routes().get(0).authenticator()).contains(tokens));
  }

  /** A running gateway the application mounts some other way. */
  static final class ElsewhereGateway implements RunningGateway {
    private volatile Gateway gateway = Gateway.builder()
        .route("x", r -> r.path("/x").upstream("http://127.0.0.1:1").permitAll()).build();

    @Override
    public Gateway gateway() {
      return gateway;
    }

    @Override
    public void reconfigure(Gateway next) {
      gateway = next;
    }

    @Override
    public Explanation explain(String method, String uri, HttpHeaders headers) {
      throw new UnsupportedOperationException();
    }

    @Override
    public List<String> policies(String routeId) {
      return List.of();
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public List<EndpointStatus> upstreamStatus() {
      return List.of();
    }

    @Override
    public void shutdown(Duration grace) {}
  }
}
