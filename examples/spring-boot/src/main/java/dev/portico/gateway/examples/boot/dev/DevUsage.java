package dev.portico.gateway.examples.boot.dev;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Profile;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** In the dev profile, prints what to try once the application is ready. */
@Component
@Profile("dev")
class DevUsage {
  @EventListener(ApplicationReadyEvent.class)
  void print(ApplicationReadyEvent event) {
    Environment environment = event.getApplicationContext().getEnvironment();
    String base = "http://localhost:" + environment.getProperty("local.server.port");
    System.out.println("""

        Spring Boot example on %1$s/ (dev profile: fake backends, DEVELOPMENT token issuer)
          /hello, /api/version      the application's own controller
          /api/orders/**            gateway route: a token with scope orders:read -> the orders backend
          /api/inventory/**         gateway route: a token -> the inventory backend
                                    both together: 10 requests a minute per user, then 429
          /dev/token                DEVELOPMENT token issuer (dev profile only)

        Try:
          # a token for alice (the development issuer mints one for anyone; never in production)
          TOKEN=$(curl -s -d sub=alice -d scope=orders:read %1$s/dev/token)
          curl -i -H "Authorization: Bearer $TOKEN" %1$s/api/orders/7       # 200, from the orders backend
          curl -i -H "Authorization: Bearer $TOKEN" %1$s/api/inventory/42   # 200, from the inventory backend
          curl -i %1$s/api/orders/7                                         # 401 problem JSON
          curl -i %1$s/hello                                                # the application's own
          curl -i %1$s/api/nothing                                          # the application's own 404
          curl -s %1$s/actuator/portico/routes                              # the gateway's routes
          curl -s %1$s/actuator/health                                      # health, with the gateway's upstreams
          # over 10 requests a minute: 429 with Retry-After
          for i in $(seq 11); do curl -s -o /dev/null -w '%%{http_code} ' -H "Authorization: Bearer $TOKEN" %1$s/api/inventory/1; done; echo

        Stop with Ctrl+C.
        """.formatted(base));
  }
}
