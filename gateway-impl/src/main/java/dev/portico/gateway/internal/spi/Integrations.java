package dev.portico.gateway.internal.spi;

/**
 * Where the engine gets the implementations of its seams. Each lives in its integration's package
 * and is named here as text, not imported, so the engine compiles, loads and runs without the
 * library behind it; asking for one whose library is missing fails with a message that names the
 * artifact to add (see {@link OptionalLibrary}). Called when a gateway is compiled, never per
 * request. Not public API.
 */
public final class Integrations {
  private Integrations() {}

  /**
   * The JSON Schema integration (networknt).
   *
   * @throws IllegalStateException when {@code com.networknt:json-schema-validator} is not on the class path
   */
  public static BodyValidators jsonSchema() {
    OptionalLibrary.JSON_SCHEMA_VALIDATOR.require("jsonSchema");
    return load(BodyValidators.class, "dev.portico.gateway.validation.jsonschema.JsonSchemaIntegration");
  }

  /** The JSON body transforms (Jackson 3, which gateway-impl always has). */
  public static BodyTransformers jsonTransforms() {
    return load(BodyTransformers.class, "dev.portico.gateway.transform.json.JsonTransformIntegration");
  }

  /**
   * The group circuit breakers (Resilience4j).
   *
   * @throws IllegalStateException when {@code io.github.resilience4j:resilience4j-circuitbreaker}
   *     is not on the class path
   */
  public static CircuitBreakers circuitBreakers() {
    OptionalLibrary.RESILIENCE4J_CIRCUITBREAKER.require("circuitBreaker");
    return load(CircuitBreakers.class, "dev.portico.gateway.upstream.resilience4j.Resilience4jIntegration");
  }

  /**
   * The stores of the routes' response caches (Caffeine).
   *
   * @throws IllegalStateException when {@code com.github.ben-manes.caffeine:caffeine} is not on the class path
   */
  public static dev.portico.gateway.internal.cache.CacheStore.Factory responseCaches() {
    OptionalLibrary.CAFFEINE.require("cache");
    return load(dev.portico.gateway.internal.cache.CacheStore.Factory.class,
        "dev.portico.gateway.cache.caffeine.CaffeineCacheStores");
  }

  private static <T> T load(Class<T> seam, String implementation) {
    try {
      var constructor = Class.forName(implementation, true, Integrations.class.getClassLoader())
          .asSubclass(seam).getDeclaredConstructor();
      constructor.setAccessible(true);   // package-private: not public API of its package
      return constructor.newInstance();
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      // gateway-impl ships every implementation: this is a broken jar, not a missing dependency.
      throw new IllegalStateException("cannot load " + implementation + " (" + seam.getSimpleName() + "): " + e, e);
    }
  }
}
