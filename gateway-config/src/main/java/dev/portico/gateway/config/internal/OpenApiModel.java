package dev.portico.gateway.config.internal;

import dev.portico.gateway.Gateway;
import dev.portico.gateway.openapi.OpenApiException;
import dev.portico.gateway.openapi.OpenApiRoutes;
import java.nio.file.Path;

/**
 * Adds the routes of an {@code openapi:} import: the one class of the reader that refers to
 * gateway-openapi, loaded only for a file with that key. Not public API.
 */
final class OpenApiModel {
  private OpenApiModel() {}

  static void addTo(Gateway.Builder gateway, OpenApiKeys keys, Value at) {
    Reading reading = at.reading();
    Path document = reading.baseDirectory().resolve(keys.document);
    OpenApiRoutes.Builder b = OpenApiRoutes.from(document);
    try {
      if (keys.upstream != null && keys.upstreamGroup != null) {
        throw at.fail("upstream and upstreamGroup: give one");
      }
      if (keys.upstream != null) {
        b.upstream(keys.upstream);
      }
      if (keys.upstreamGroup != null) {
        b.upstreamGroup(keys.upstreamGroup);
      }
      if (keys.pathPrefix != null) {
        b.pathPrefix(keys.pathPrefix);
      }
      if (keys.idPrefix != null) {
        b.idPrefix(keys.idPrefix);
      }
      if (keys.validateRequests != null) {
        b.validateRequests(keys.validateRequests);
      }
      reading.authenticators().forEach(b::authenticator);
      reading.limiters().forEach(b::rateLimiter);
      b.build().addTo(gateway);
    } catch (OpenApiException e) {
      Value place = at.get("document").orElse(at);
      for (OpenApiException.Problem p : e.problems()) {
        reading.problems().add(place.position(), place.path(), keys.document
            + (p.pointer().isEmpty() ? "" : " " + p.pointer()) + ": " + p.message());
      }
    } catch (IllegalArgumentException e) {
      reading.problems().add(at.position(), at.path(), e.getMessage());
    }
  }
}
