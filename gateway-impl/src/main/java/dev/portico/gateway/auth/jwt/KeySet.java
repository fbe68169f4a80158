package dev.portico.gateway.auth.jwt;

import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An immutable set of {@link VerificationKey}s, as one fetch of a JWK set or one configuration
 * produced them, with the lookup a token needs: the keys its {@code kid} names that may verify its
 * {@code alg}. The token's {@code jku}, {@code x5u}, {@code jwk} and {@code x5c} headers play no
 * part: keys come only from here.
 */
final class KeySet {
  private final List<VerificationKey> keys;
  private final Set<String> thumbprints;
  private final int skipped;

  private KeySet(List<VerificationKey> keys, int skipped) {
    this.keys = List.copyOf(keys);
    Set<String> prints = new HashSet<>();
    keys.forEach(k -> prints.add(k.thumbprint()));
    this.thumbprints = Set.copyOf(prints);
    this.skipped = skipped;
  }

  /** Returns the usable signature keys of {@code set}; see {@link VerificationKey#of(JWK)} for what is skipped. */
  static KeySet of(JWKSet set) {
    List<VerificationKey> keys = new ArrayList<>();
    int skipped = 0;
    for (JWK jwk : set.getKeys()) {
      var key = VerificationKey.of(jwk);
      if (key.isPresent()) {
        keys.add(key.get());
      } else {
        skipped++;
      }
    }
    return new KeySet(keys, skipped);
  }

  /** Returns a set holding one HMAC secret. */
  static KeySet hmac(byte[] secret) {
    return new KeySet(List.of(VerificationKey.hmac(secret)), 0);
  }

  /**
   * Returns the keys that may verify a token with {@code header}: those whose {@code kid} equals the
   * token's (any key when the token names none; a configured secret whatever the token names) and
   * that verify the token's {@code alg}.
   */
  List<VerificationKey> candidates(JWSHeader header) {
    String kid = header.getKeyID();
    List<VerificationKey> found = new ArrayList<>(2);
    for (VerificationKey key : keys) {
      boolean named = kid == null || key.anyKid() || kid.equals(key.kid());
      if (named && key.verifies(header.getAlgorithm())) {
        found.add(key);
      }
    }
    return found;
  }

  /** Returns whether the key with RFC 7638 {@code thumbprint} is in this set. */
  boolean contains(String thumbprint) {
    return thumbprints.contains(thumbprint);
  }

  boolean isEmpty() {
    return keys.isEmpty();
  }

  int size() {
    return keys.size();
  }

  /** Returns how many keys of the source were not usable for signature verification. */
  int skipped() {
    return skipped;
  }
}
