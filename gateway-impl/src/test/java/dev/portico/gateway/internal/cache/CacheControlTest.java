package dev.portico.gateway.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CacheControlTest {

  @Test
  void readsDirectivesCaseInsensitivelyAcrossFieldLines() {
    CacheControl cc = CacheControl.parse(List.of("Public, MAX-AGE=60", "s-maxage=120,must-revalidate"));
    assertThat(cc.isPublic()).isTrue();
    assertThat(cc.maxAge()).isEqualTo(60);
    assertThat(cc.sMaxAge()).isEqualTo(120);
    assertThat(cc.mustRevalidate()).isTrue();
    assertThat(cc.noStore()).isFalse();
  }

  @Test
  void quotedValuesAreReadAndQualifiedFormsCountAsTheDirective() {
    CacheControl cc = CacheControl.parse(List.of("max-age=\"30\", no-cache=\"Set-Cookie, X-A\", private=\"X\""));
    assertThat(cc.maxAge()).isEqualTo(30);
    assertThat(cc.noCache()).isTrue();
    assertThat(cc.isPrivate()).isTrue();
  }

  @Test
  void malformedDeltaSecondsCountAsStale() {
    assertThat(CacheControl.parse(List.of("max-age=abc")).maxAge()).isZero();
    assertThat(CacheControl.parse(List.of("max-age=")).maxAge()).isZero();
    assertThat(CacheControl.parse(List.of("max-age=-5")).maxAge()).isZero();
    assertThat(CacheControl.parse(List.of("max-age")).maxAge()).isZero();
  }

  @Test
  void conflictingDuplicatesCountAsStaleAndEqualOnesStand() {
    assertThat(CacheControl.parse(List.of("max-age=60, max-age=3600")).maxAge()).isZero();
    assertThat(CacheControl.parse(List.of("max-age=60", "max-age=60")).maxAge()).isEqualTo(60);
  }

  @Test
  void hugeValuesAreCappedAndGarbageIsIgnored() {
    CacheControl cc = CacheControl.parse(List.of(",, max-age=99999999999999999999 ,foo=bar, =x, \"unterminated"));
    assertThat(cc.maxAge()).isEqualTo(CacheControl.MAX_DELTA);
    assertThat(CacheControl.parse(List.of("max-age=\"10")).maxAge()).isEqualTo(10);
    assertThat(CacheControl.parse(List.of()).maxAge()).isEqualTo(-1);
  }

  @Test
  void requestDirectives() {
    CacheControl cc = CacheControl.parse(List.of("no-store, max-stale, min-fresh=5, only-if-cached"));
    assertThat(cc.noStore()).isTrue();
    assertThat(cc.maxStale()).isEqualTo(Long.MAX_VALUE);
    assertThat(cc.minFresh()).isEqualTo(5);
    assertThat(cc.onlyIfCached()).isTrue();
  }
}
