package dev.portico.gateway.spring.boot;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.RunningGateway;
import dev.portico.gateway.config.ConfigException;
import dev.portico.gateway.config.ConfigWatch;
import dev.portico.gateway.observe.GatewayObserver;
import dev.portico.gateway.servlet.GatewayFilter;
import jakarta.servlet.DispatcherType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Mounts a Portico gateway in a Spring Boot servlet application (embedded Tomcat or Jetty) as a
 * {@link GatewayFilter} ahead of Spring MVC: requests a route matches go through the gateway, every
 * other request reaches the application's own controllers.
 *
 * <p>The gateway is the application's own {@link Gateway} bean, or else the one the
 * {@code portico.*} properties give (the keys of a Portico configuration file under
 * {@code portico.}: {@code portico.routes[0].path=/api/**}), or else the one the file
 * {@code portico.config-file} holds, applied again whenever the file changes (unless
 * {@code portico.reload=false}). The beans it makes, each replaced by a bean of the application's
 * own:
 *
 * <ul>
 *   <li>the {@link Gateway}, named {@value #GATEWAY_BEAN_NAME};
 *   <li>the {@link GatewayFilter} (a {@link RunningGateway}), named {@value #FILTER_BEAN_NAME}, told
 *       about every exchange by every {@link GatewayObserver} bean, in their order;
 *   <li>its {@code FilterRegistrationBean}, named {@value #FILTER_REGISTRATION_BEAN_NAME}: URL
 *       patterns {@code portico.filter.url-patterns} ({@code /*}), order {@code portico.filter.order}
 *       (-10100, ahead of the filters that read a request body and of Spring Security),
 *       asynchronous, for {@code REQUEST} and {@code ASYNC} dispatches;
 *   <li>the {@link ConfigWatch} of {@code portico.config-file}, when it is a file that is reloaded.
 * </ul>
 *
 * <p>When the application stops, the gateway shuts down gracefully before Boot's own graceful
 * shutdown of the web server: new requests on its routes get 503 {@code shutting-down} and those
 * in flight finish, up to {@code portico.shutdown-grace} (5 s). {@code portico.enabled=false}
 * turns all of it off. A configuration that cannot become a gateway stops the application from
 * starting, with a report naming each property at fault, its origin and the reason.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({jakarta.servlet.Filter.class, FilterRegistrationBean.class})
@ConditionalOnBooleanProperty(name = "portico.enabled", matchIfMissing = true)
@EnableConfigurationProperties(PorticoProperties.class)
@Import({GatewayConfiguration.class, GatewayFilterConfiguration.class})
public final class PorticoAutoConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(PorticoAutoConfiguration.class);

  /** The name of the {@link Gateway} bean made from properties or a file. */
  public static final String GATEWAY_BEAN_NAME = "porticoGateway";

  /** The name of the {@link GatewayFilter} bean. */
  public static final String FILTER_BEAN_NAME = "porticoGatewayFilter";

  /** The name of the filter's {@code FilterRegistrationBean}; a bean of this name replaces it. */
  public static final String FILTER_REGISTRATION_BEAN_NAME = "porticoFilterRegistration";

  PorticoAutoConfiguration() {}

  @Bean(FILTER_REGISTRATION_BEAN_NAME)
  @ConditionalOnMissingBean(name = FILTER_REGISTRATION_BEAN_NAME)
  @ConditionalOnBean(GatewayFilter.class)
  FilterRegistrationBean<GatewayFilter> porticoFilterRegistration(GatewayFilter filter, PorticoProperties properties,
      ListableBeanFactory beans, Environment environment) {
    if (!beans.containsBean(GATEWAY_BEAN_NAME) && (properties.configFile() != null
        || !PropertyTree.gatewayKeys(environment).isEmpty())) {
      LOG.warn("Portico: the application's own Gateway or GatewayFilter bean is mounted; portico.config-file and"
          + " the portico.* gateway keys are not read");
    }
    FilterRegistrationBean<GatewayFilter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("portico");
    registration.setAsyncSupported(true);
    // ASYNC too: the switch to a WebSocket connection happens in an asynchronous dispatch.
    registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
    registration.setUrlPatterns(properties.filter().urlPatterns());
    registration.setOrder(properties.filter().order());
    return registration;
  }

  @Bean
  @ConditionalOnBean(GatewayFilter.class)
  PorticoShutdown porticoShutdown(GatewayFilter filter, PorticoProperties properties,
      ObjectProvider<ConfigWatch> watches) {
    return new PorticoShutdown(filter, properties.shutdownGrace(), watches.stream().toList());
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean(ConfigWatch.class)
  @ConditionalOnBean(value = GatewayFilter.class, name = GATEWAY_BEAN_NAME)
  @Conditional(ReloadedFile.class)
  ConfigWatch porticoConfigWatch(GatewayFilter filter, PorticoProperties properties, ResourceLoader resourceLoader,
      ListableBeanFactory beans) {
    ConfigFile file = ConfigFile.resolve(properties.configFile(), resourceLoader);
    try {
      return RegisteredBeans.of(beans).config().follow(file.path().orElseThrow(), filter);
    } catch (ConfigException e) {
      throw file.failure(e);
    }
  }

  /** {@code portico.config-file} is a file on disk and {@code portico.reload} is not false. */
  static final class ReloadedFile extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
      String location = context.getEnvironment().getProperty("portico.config-file");
      if (location == null) {
        return ConditionOutcome.noMatch("portico.config-file is not set");
      }
      if (!context.getEnvironment().getProperty("portico.reload", Boolean.class, true)) {
        return ConditionOutcome.noMatch("portico.reload is false");
      }
      ConfigFile file = ConfigFile.resolve(location, context.getResourceLoader());
      if (file.path().isEmpty()) {
        LOG.info("Portico: {} is not a file on disk; it is read once, not watched", location);
        return ConditionOutcome.noMatch(location + " is not a file on disk");
      }
      return ConditionOutcome.match(location + " is a file on disk");
    }
  }

}
