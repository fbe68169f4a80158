package dev.portico.gateway.auth.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.portico.gateway.auth.Identity;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Turns verified claims into an {@link Identity}: the subject {@link ClaimRules} found, scopes from
 * {@code scope} (space-separated) or {@code scp} (array or string), roles and plan from configured
 * claim paths, and every claim as a plain Java value (maps, lists, strings, numbers, booleans; JSON
 * nulls are left out), so no Nimbus type escapes.
 *
 * <p>A claim path is a claim name, or dot-separated names into nested objects
 * ({@code realm_access.roles}). A claim whose own name contains dots (namespaced claims such as
 * {@code https://example.com/roles}) is found by its full name first.
 */
final class IdentityMapping {
  static final String METHOD = "jwt";

  private final String rolesClaim;
  private final @Nullable String planClaim;

  IdentityMapping(String rolesClaim, @Nullable String planClaim) {
    this.rolesClaim = rolesClaim;
    this.planClaim = planClaim;
  }

  Identity identity(String subject, JWTClaimsSet claimsSet) {
    Map<String, Object> claims = plainMap(claimsSet.toJSONObject());
    Set<String> scopes = new LinkedHashSet<>();
    addWords(scopes, claims.get("scope"));
    addWords(scopes, claims.get("scp"));
    Set<String> roles = new LinkedHashSet<>();
    Object roleValue = at(claims, rolesClaim);
    if (roleValue instanceof List<?> list) {
      list.stream().filter(String.class::isInstance).map(String.class::cast).forEach(roles::add);
    } else if (roleValue instanceof String role && !role.isEmpty()) {
      roles.add(role);
    }
    Object plan = planClaim == null ? null : at(claims, planClaim);
    return Identity.builder(subject)
        .issuer(claimsSet.getIssuer())
        .method(METHOD)
        .scopes(scopes)
        .roles(roles)
        .claims(claims)
        .plan(plan instanceof String || plan instanceof Number || plan instanceof Boolean ? plan.toString() : null)
        .build();
  }

  /** Adds the words of a space-separated string, or the strings of an array. */
  private static void addWords(Set<String> into, @Nullable Object value) {
    if (value instanceof String words) {
      for (String word : words.split(" ")) {
        if (!word.isEmpty()) {
          into.add(word);
        }
      }
    } else if (value instanceof List<?> list) {
      list.stream().filter(String.class::isInstance).map(String.class::cast).filter(s -> !s.isEmpty()).forEach(into::add);
    }
  }

  /** Returns the value at claim {@code path}, or null. */
  static @Nullable Object at(Map<String, Object> claims, String path) {
    Object whole = claims.get(path);
    if (whole != null || path.indexOf('.') < 0) {
      return whole;
    }
    Object current = claims;
    for (String name : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(name);
    }
    return current;
  }

  /** Copies a parsed JSON object into unmodifiable JDK maps and lists, leaving out nulls. */
  static Map<String, Object> plainMap(Map<?, ?> json) {
    Map<String, Object> copy = new LinkedHashMap<>();
    json.forEach((name, value) -> {
      Object plain = plain(value);
      if (name != null && plain != null) {
        copy.put(name.toString(), plain);
      }
    });
    return Collections.unmodifiableMap(copy);
  }

  private static @Nullable Object plain(@Nullable Object value) {
    if (value instanceof Map<?, ?> map) {
      return plainMap(map);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        Object plain = plain(element);
        if (plain != null) {
          copy.add(plain);
        }
      }
      return Collections.unmodifiableList(copy);
    }
    if (value instanceof String || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Number number) {
      // The JSON parser hands out Long or Double; anything else becomes a JDK BigDecimal.
      return number instanceof Long || number instanceof Double ? number : new java.math.BigDecimal(number.toString());
    }
    // Nimbus hands dates (exp, nbf, iat) to toJSONObject() as epoch seconds already; anything else
    // is not JSON and is left out.
    return null;
  }
}
