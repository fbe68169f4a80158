package dev.portico.gateway.config.internal;

import dev.portico.gateway.Policies;
import dev.portico.gateway.Route;
import dev.portico.gateway.auth.AccessRule;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link Policies} keys share: the {@code methodPolicies} key of a route (whose blocks, like the gateway's
 * {@code routeDefaults}, take {@link RouteModel#POLICIES}), and the route's keys that drop an
 * inherited policy. Not public API.
 */
final class PolicyModel {
  private PolicyModel() {}

  /** The route's keys that drop a policy it would inherit from routeDefaults. */
  static Spec<Route.Builder> optOuts(Spec<Route.Builder> route) {
    return route
        .key("noValidation", Type.BOOLEAN, "false", "Drop the validation of routeDefaults.", (b, v) -> when(v, b::noValidation))
        .key("noCors", Type.BOOLEAN, "false", "Drop the CORS policy of routeDefaults (or the gateway's cors).",
            (b, v) -> when(v, b::noCors))
        .key("noRateLimit", Type.BOOLEAN, "false", "Drop the rate limiters of routeDefaults.", (b, v) -> when(v, b::noRateLimit))
        .key("noConcurrencyLimit", Type.BOOLEAN, "false", "Drop the concurrency limit of routeDefaults.",
            (b, v) -> when(v, b::noConcurrencyLimit))
        .key("noMaxRequestBodySize", Type.BOOLEAN, "false", "Drop the request body limit of routeDefaults.",
            (b, v) -> when(v, b::noMaxRequestBodySize))
        .key("noIpRules", Type.BOOLEAN, "false", "Drop the client address rules of routeDefaults.",
            (b, v) -> when(v, () -> b.ipRules(dev.portico.gateway.IpRules.none())))
        .key("noCache", Type.BOOLEAN, "false", "Drop the response cache of routeDefaults.", (b, v) -> when(v, b::noCache))
        .key("methodPolicies", Type.map(Type.object(RouteModel.POLICIES)),
            "Policies for one method only, by method (POST, PUT, ...): over the route's, for that method; HEAD takes"
                + " GET's when it has none.",
            (b, v) -> v.entries().forEach((method, x) ->
                b.methodPolicies(method, x.build(RouteModel.POLICIES, Policies.builder(), Policies.Builder::build))));
  }

  /** Access rules, each item one or more rules. */
  static List<AccessRule> rules(Value v) {
    List<AccessRule> all = new ArrayList<>();
    for (Value item : v.items()) {
      List<AccessRule> rules = new ArrayList<>();
      item.bind(AuthModel.ACCESS_RULE, rules);
      if (rules.isEmpty()) {
        throw item.fail("an empty rule (expected: at least one of " + String.join(", ", AuthModel.ACCESS_RULE.names()) + ")");
      }
      all.addAll(rules);
    }
    return all;
  }

  static void when(Value v, Runnable optOut) {
    if (!v.bool()) {
      throw new Value.Invalid("only true means something here (leave the key out to inherit)");
    }
    optOut.run();
  }
}
