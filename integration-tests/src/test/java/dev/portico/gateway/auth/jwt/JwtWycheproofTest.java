package dev.portico.gateway.auth.jwt;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Project Wycheproof's JWS vectors (src/test/resources/wycheproof, Apache-2.0) against the JWS layer
 * the authenticator uses: {@link JwsPolicy#parse} (strict compact syntax, allow-list, crit) and
 * {@link JwsPolicy#verify} with the group's key as the authenticator would hold it: public keys as
 * from a JWK set (with every public-key algorithm we support allowed), {@code oct} keys as an
 * {@code hmacSecret} (with HS256/384/512 allowed).
 *
 * <p>Every vector is checked. Eight vectors carry a verdict we deliberately do not share; they are
 * listed in {@link #DISAGREEMENTS} with the reason, their premise is asserted, and our verdict for
 * them is pinned, so a change in either direction fails this test.
 */
class JwtWycheproofTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String RESOURCE = "/wycheproof/json_web_signature_test.json";

  /** Vectors whose label we do not share: tcId -> why, with our verdict in the reason's first word. */
  private static final Map<Integer, String> DISAGREEMENTS = Map.of(
      346, "invalid: RFC 7520 figure 20; the key declares alg PS256 and the token uses PS384, and a JWK's alg binds it "
          + "(RFC 7517 4.4; Nimbus's own key selector agrees)",
      350, "invalid: as tcId 346, with key_ops",
      347, "invalid: RFC 7520 figure 27; the key declares alg 'ES521', which is no algorithm, and the token uses ES512",
      351, "invalid: as tcId 347, with key_ops",
      367, "valid: labelled invalid (invalidBase64Padding) but byte-for-byte the token of tcId 357, labelled valid: "
          + "a fault of the file",
      370, "valid: labelled invalid (invalidBase64PaddingInPayload) but byte-for-byte the token of tcId 357",
      372, "invalid: labelled valid, but the header holds '?', which is not base64url (RFC 7515 2); our compact "
          + "parser admits one spelling per token",
      373, "invalid: labelled valid, but the payload holds '?', which is not base64url (RFC 7515 2)");

  private static JsonNode file;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = JwtWycheproofTest.class.getResourceAsStream(RESOURCE)) {
      assertThat(in).as(RESOURCE).isNotNull();
      file = JSON.readTree(in);
    }
  }

  /** One vector with the key material and allow-list of its group. */
  private record Vector(int tcId, String comment, JsonNode jws, boolean valid, KeySet keys, Set<JWSAlgorithm> allowed,
      String groupComment) {}

  private static List<Vector> vectors() {
    List<Vector> vectors = new ArrayList<>();
    for (JsonNode group : file.get("testGroups")) {
      JsonNode keyJson = group.has("public") ? group.get("public") : group.get("private");
      boolean secret = "oct".equals(keyJson.get("kty").asString());
      KeySet keys;
      if (secret) {
        keys = KeySet.hmac(new Base64URL(keyJson.get("k").asString()).decode());
      } else {
        KeySet parsed;
        try {
          parsed = KeySet.of(new JWKSet(JWK.parse(keyJson.toString()).toPublicJWK()));
        } catch (java.text.ParseException e) {
          parsed = KeySet.of(new JWKSet());
        }
        keys = parsed;
      }
      Set<JWSAlgorithm> allowed = secret ? JwsPolicy.HMAC_ALGORITHMS : JwsPolicy.PUBLIC_KEY_ALGORITHMS;
      for (JsonNode test : group.get("tests")) {
        vectors.add(new Vector(test.get("tcId").asInt(), test.get("comment").asString(), test.get("jws"),
            "valid".equals(test.get("result").asString()), keys, allowed, group.get("comment").asString()));
      }
    }
    return vectors;
  }

  /** Returns whether our verifier decides on {@code vector}: false for algorithms we do not implement. */
  private static boolean supported(Vector vector) {
    if (!vector.jws().isString()) {
      return true; // JSON serialization: ours to refuse
    }
    String jws = vector.jws().asString();
    int dot = jws.indexOf('.');
    try {
      JsonNode header = JSON.readTree(new String(java.util.Base64.getUrlDecoder().decode(dot < 0 ? jws : jws.substring(0, dot)),
          StandardCharsets.UTF_8));
      if (header == null || !header.has("alg") || !header.get("alg").isString()) {
        return true; // not a usable header: ours to refuse
      }
      String alg = header.get("alg").asString();
      JWSAlgorithm parsed = JWSAlgorithm.parse(alg);
      // "none" in any spelling is an attack on the verifier, never an algorithm we lack: ours to refuse.
      return alg.equalsIgnoreCase("none") || JwsPolicy.PUBLIC_KEY_ALGORITHMS.contains(parsed) || JwsPolicy.HMAC_ALGORITHMS.contains(parsed);
    } catch (RuntimeException e) {
      return true; // not decodable: ours to refuse
    }
  }

  /** Our verdict: whether the token passes the JWS layer with the group's key. */
  private static boolean verifies(Vector vector) {
    // A JSON-serialized JWS reaches us as its JSON text, which the compact parser must refuse.
    String token = vector.jws().isString() ? vector.jws().asString() : vector.jws().toString();
    JwsPolicy policy = new JwsPolicy(vector.allowed(), new AtomicLong());
    try {
      policy.verify(policy.parse(token), vector.keys());
      return true;
    } catch (TokenRejected e) {
      return false;
    }
  }

  @TestFactory
  Stream<DynamicTest> everySupportedVectorGetsTheExpectedVerdict() {
    return vectors().stream().filter(JwtWycheproofTest::supported).map(vector -> DynamicTest.dynamicTest(
        "tcId " + vector.tcId() + " " + vector.groupComment() + " " + vector.comment(), () -> {
          String disagreement = DISAGREEMENTS.get(vector.tcId());
          boolean expected = disagreement == null ? vector.valid() : disagreement.startsWith("valid:");
          assertThat(verifies(vector)).as("tcId %d (%s), labelled %s%s", vector.tcId(), vector.comment(),
              vector.valid() ? "valid" : "invalid", disagreement == null ? "" : "; ours: " + disagreement)
              .isEqualTo(expected);
        }));
  }

  @Test
  void checksMostVectorsAndSkipsOnlyUnsupportedAlgorithms() {
    List<Vector> vectors = vectors();
    long checked = vectors.stream().filter(JwtWycheproofTest::supported).count();

    assertThat(vectors).hasSize(file.get("numberOfTests").asInt());
    assertThat(checked).isPositive();
    // Every algorithm in this file is one we implement (or "none", which we refuse), so none is skipped.
    assertThat(checked).isEqualTo(vectors.size());
    assertThat(vectors.stream().filter(v -> v.valid() && !DISAGREEMENTS.containsKey(v.tcId())).count())
        .as("valid vectors we verify").isGreaterThanOrEqualTo(38);
  }

  @Test
  void disagreementsRestOnWhatTheyClaim() {
    Map<Integer, Vector> byId = new java.util.HashMap<>();
    vectors().forEach(v -> byId.put(v.tcId(), v));
    assertThat(byId.keySet()).containsAll(DISAGREEMENTS.keySet());

    // The "invalid" padding vectors are the valid vector's token, unchanged.
    assertThat(byId.get(357).valid()).isTrue();
    for (int id : List.of(367, 370)) {
      assertThat(byId.get(id).valid()).isFalse();
      assertThat(byId.get(id).jws().asString()).isEqualTo(byId.get(357).jws().asString());
    }
    // The "valid" vectors with '?' are not base64url.
    for (int id : List.of(372, 373)) {
      assertThat(byId.get(id).valid()).isTrue();
      assertThat(byId.get(id).jws().asString()).contains("?");
    }
    // The RFC 7520 keys declare an alg the token does not use.
    JsonNode groups = file.get("testGroups");
    Set<String> mismatches = new HashSet<>();
    for (JsonNode group : groups) {
      for (JsonNode test : group.get("tests")) {
        int id = test.get("tcId").asInt();
        if (List.of(346, 347, 350, 351).contains(id)) {
          String keyAlg = group.get("public").get("alg").asString();
          String jws = test.get("jws").asString();
          String headerAlg = JSON.readTree(new Base64URL(jws.substring(0, jws.indexOf('.'))).decodeToString())
              .get("alg").asString();
          assertThat(keyAlg).as("tcId %d", id).isNotEqualTo(headerAlg);
          mismatches.add(keyAlg + "->" + headerAlg);
        }
      }
    }
    assertThat(mismatches).containsExactlyInAnyOrder("PS256->PS384", "ES521->ES512");
  }
}
