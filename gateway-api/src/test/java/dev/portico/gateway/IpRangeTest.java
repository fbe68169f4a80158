package dev.portico.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpRangeTest {

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource(delimiter = '|', textBlock = """
      10.0.0.0/8            | 10.1.2.3               | true
      10.0.0.0/8            | 10.255.255.255         | true
      10.0.0.0/8            | 11.0.0.0               | false
      10.1.2.3/8            | 10.200.0.1             | true
      192.168.1.0/24        | 192.168.1.77           | true
      192.168.1.0/24        | 192.168.2.1            | false
      172.16.0.0/12         | 172.31.255.1           | true
      172.16.0.0/12         | 172.32.0.1             | false
      127.0.0.1             | 127.0.0.1              | true
      127.0.0.1             | 127.0.0.2              | false
      127.0.0.1/32          | 127.0.0.1              | true
      127.0.0.1/32          | 127.0.0.2              | false
      0.0.0.0/0             | 203.0.113.9            | true
      0.0.0.0/0             | ::1                    | false
      2001:db8::/32         | 2001:db8:1::7          | true
      2001:db8::/32         | 2001:db9::1            | false
      ::1                   | ::1                    | true
      ::1                   | [::1]                  | true
      ::/0                  | 2001:db8::1            | true
      ::/0                  | 10.0.0.1               | false
      10.0.0.0/8            | ::ffff:10.1.2.3        | true
      10.0.0.0/8            | ::ffff:11.1.2.3        | false
      ::ffff:10.0.0.0/104   | 10.9.9.9               | true
      ::ffff:10.0.0.0/104   | 11.0.0.1               | false
      10.0.0.0/8            | localhost              | false
      10.0.0.0/8            | not an address         | false
      """)
  void containsTheAddressesOfItsBlock(String cidr, String address, boolean contained) {
    assertThat(IpRange.parse(cidr).contains(address)).isEqualTo(contained);
  }

  @Test
  void containsAnInetAddress() throws Exception {
    IpRange range = IpRange.parse("10.0.0.0/8");

    assertThat(range.contains(InetAddress.getByAddress(new byte[] {10, 1, 2, 3}))).isTrue();
    assertThat(range.contains(InetAddress.getByAddress(new byte[] {11, 1, 2, 3}))).isFalse();
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3};
    assertThat(range.contains(java.net.Inet6Address.getByAddress(null, mapped, -1))).isTrue();
  }

  @Test
  void blocksThatCoverTheSameAddressesAreEqual() {
    assertThat(IpRange.parse("10.1.2.3/8")).isEqualTo(IpRange.parse("10.0.0.0/8"))
        .hasSameHashCodeAs(IpRange.parse("10.0.0.0/8"));
    assertThat(IpRange.parse("10.0.0.0/8")).isNotEqualTo(IpRange.parse("10.0.0.0/9"));
    assertThat(IpRange.parse("10.0.0.0/8")).hasToString("10.0.0.0/8");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "example.com", "gateway", "", "10.0.0", "10.0.0.0.0", "256.0.0.1", "010.0.0.1",
      "1.2.3.4 ", "::g", ".::1", "fe80::1%eth0", "[::1"})
  void refusesWhatIsNotAnIpLiteralWithoutAskingDns(String cidr) {
    assertThatThrownBy(() -> IpRange.parse(cidr)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cidr: '" + cidr + "' (expected: an IP literal with optional /prefix)");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      10.0.0.0/33          | prefix 0-32
      10.0.0.0/-1          | prefix 0-32
      10.0.0.0/            | prefix 0-32
      10.0.0.0/+8          | prefix 0-32
      10.0.0.0/8x          | prefix 0-32
      10.0.0.0/ 8          | prefix 0-32
      ::/129               | prefix 0-128
      ::ffff:10.0.0.0/95   | prefix 96-128
      """)
  void refusesBadPrefixes(String cidr, String expected) {
    assertThatThrownBy(() -> IpRange.parse(cidr)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cidr: '" + cidr + "' (expected: " + expected + ")");
  }
}
