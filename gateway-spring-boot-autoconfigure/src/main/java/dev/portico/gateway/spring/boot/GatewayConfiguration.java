package dev.portico.gateway.spring.boot;

import dev.portico.gateway.Gateway;
import java.util.List;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The {@link Gateway} from {@code portico.config-file} or from the {@code portico.*} gateway keys,
 * unless the application has a {@code Gateway} bean of its own.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(GatewayConfiguration.GatewayGiven.class)
class GatewayConfiguration {

  @Bean(PorticoAutoConfiguration.GATEWAY_BEAN_NAME)
  @ConditionalOnMissingBean(Gateway.class)
  Gateway porticoGateway(PorticoProperties properties, Environment environment, ResourceLoader resourceLoader,
      ListableBeanFactory beans) {
    List<String> keys = PropertyTree.gatewayKeys(environment);
    String file = properties.configFile();
    if (file != null && !keys.isEmpty()) {
      throw InvalidGatewayConfigurationException.givenTwice(file, keys);
    }
    RegisteredBeans registered = RegisteredBeans.of(beans);
    return file != null ? ConfigFile.resolve(file, resourceLoader).read(registered.config())
        : PropertyTree.read(environment, registered.registry());
  }

  /** {@code portico.config-file} is set, or there are gateway keys under {@code portico.}. */
  static final class GatewayGiven extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
      Environment environment = context.getEnvironment();
      if (environment.getProperty("portico.config-file") != null) {
        return ConditionOutcome.match("portico.config-file is set");
      }
      List<String> keys = PropertyTree.gatewayKeys(environment);
      return keys.isEmpty() ? ConditionOutcome.noMatch("neither portico.config-file nor portico.* gateway keys are set")
          : ConditionOutcome.match("portico.* gateway keys are set: " + keys);
    }
  }
}
