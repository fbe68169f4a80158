package dev.portico.gateway.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Boot applications that cannot start because of their gateway configuration: Boot's report names
 * each property at fault, where it was given, why, and what to do.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailureAnalysisTest {

  @Test
  void namesEachBadPropertyWithItsOriginAndTheFix(CapturedOutput output) {
    assertThatThrownBy(() -> start("spring.profiles.active=bad")).hasRootCauseInstanceOf(
        InvalidGatewayConfigurationException.class);

    assertThat(output).contains("APPLICATION FAILED TO START", """
        Portico cannot build its gateway from the portico.* properties:

            Property: portico.routes[0].stripPrefx
            Origin: class path resource [application-bad.yaml] - 7:19
            Reason: unknown key 'stripPrefx' (did you mean 'stripPrefix'?)

            Property: portico.routes[2].upstream
            Origin: class path resource [application-bad.yaml] - 15:17
            Reason: 'htp://nowhere'""", """
        Action:

        Rename portico.routes[0].stripPrefx to portico.routes[0].stripPrefix.""");
  }

  @Test
  void namesTheKeyOfABadConfigurationFileWithItsLineAndColumn(CapturedOutput output) {
    assertThatThrownBy(() -> start("portico.config-file=classpath:bad-gateway.yaml"))
        .hasRootCauseInstanceOf(InvalidGatewayConfigurationException.class);

    assertThat(output).contains("Portico cannot build its gateway from portico.config-file"
        + " (classpath:bad-gateway.yaml):", "    Key: routes[0].permitAll\n", "bad-gateway.yaml - 6:16\n",
        "    Reason: expected true or false, found a string 'yes please'");
  }

  @Test
  void refusesAGatewayGivenByBothAFileAndProperties(CapturedOutput output) {
    assertThatThrownBy(() -> start("portico.config-file=classpath:gateway-on-classpath.yaml",
        "portico.routes[0].id=a")).hasRootCauseInstanceOf(InvalidGatewayConfigurationException.class);

    assertThat(output).contains("the gateway is given both by portico.config-file (classpath:gateway-on-classpath.yaml)"
        + " and by portico.* gateway keys (portico.routes)", "Give the gateway in one place");
  }

  private static void start(String... properties) {
    new SpringApplicationBuilder(HostApplication.class).properties(Servers.ON_TOMCAT, "server.port=0")
        .properties(properties).run().close();
  }
}
