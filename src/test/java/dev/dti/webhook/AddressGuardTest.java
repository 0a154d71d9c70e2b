package dev.dti.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dti.web.ApiProblem;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SSRF guard refuses every non-public address class, by its name. */
class AddressGuardTest {

  private final AddressGuard guard = new AddressGuard(List.of(), HostResolver.SYSTEM);

  @ParameterizedTest(name = "{0} is refused as {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "127.0.0.1       | a loopback address (127.0.0.0/8)",
        "127.8.9.10      | a loopback address (127.0.0.0/8)",
        "10.1.2.3        | a private address (10.0.0.0/8)",
        "172.16.0.1      | a private address (172.16.0.0/12)",
        "172.31.255.254  | a private address (172.16.0.0/12)",
        "192.168.1.1     | a private address (192.168.0.0/16)",
        "169.254.169.254 | the cloud metadata address (169.254.169.254/32)",
        "169.254.10.20   | a link-local address (169.254.0.0/16)",
        "100.64.0.1      | a carrier-grade NAT address (100.64.0.0/10)",
        "224.0.0.251     | a multicast address (224.0.0.0/4)",
        "0.0.0.0         | an unspecified address (0.0.0.0/8)",
        "255.255.255.255 | the broadcast address (255.255.255.255/32)",
        "::1             | a loopback address (::1/128)",
        "::              | an unspecified address (::/128)",
        "fd12:3456::1    | a private (unique local) address (fc00::/7)",
        "fe80::1         | a link-local address (fe80::/10)",
        "ff02::1         | a multicast address (ff00::/8)",
        "::ffff:10.0.0.1 | a private address (10.0.0.0/8)",
        "2002:a00:1::1   | a 6to4 address of 10.0.0.1, a private address (10.0.0.0/8)",
        "64:ff9b::7f00:1 | a NAT64 address of 127.0.0.1, a loopback address (127.0.0.0/8)",
        "::a9fe:a9fe     | an IPv4-compatible address of 169.254.169.254, the cloud metadata address (169.254.169.254/32)",
      })
  void refusesEveryNonPublicAddressClass(String literal, String expectedClass) throws Exception {
    assertThat(guard.refusal(InetAddress.getByName(literal))).contains(expectedClass);
    assertThatThrownBy(() -> guard.resolve(literal))
        .isInstanceOf(RefusedAddressException.class)
        .hasMessage(
            literal + " is " + expectedClass + "; webhooks are only sent to public addresses.");
  }

  @ParameterizedTest
  @CsvSource({"93.184.215.14", "8.8.8.8", "2606:4700:4700::1111", "2002:5db8:d70e::1"})
  void allowsPublicAddresses(String literal) throws Exception {
    assertThat(guard.refusal(InetAddress.getByName(literal))).isEmpty();
  }

  @Test
  void localhostIsRefusedByWhatItResolvesTo() {
    assertThatThrownBy(() -> guard.resolve("localhost"))
        .isInstanceOf(RefusedAddressException.class)
        .hasMessageStartingWith("localhost resolves to ")
        .hasMessageContaining("a loopback address");
  }

  @Test
  void aHostIsRefusedWhenAnyOfItsAddressesIs() {
    AddressGuard withDns =
        new AddressGuard(
            List.of(),
            resolver(Map.of("mixed.example", new String[] {"93.184.215.14", "192.168.0.7"})));

    assertThatThrownBy(() -> withDns.resolve("mixed.example"))
        .hasMessage(
            "mixed.example resolves to 192.168.0.7, a private address (192.168.0.0/16);"
                + " webhooks are only sent to public addresses.");
  }

  @Test
  void allowedNetworksAreExempt() throws Exception {
    AddressGuard lenient =
        new AddressGuard(List.of("127.0.0.0/8", "fd00::/8"), HostResolver.SYSTEM);

    assertThat(lenient.resolve("127.0.0.1")).containsExactly(InetAddress.getByName("127.0.0.1"));
    assertThat(lenient.refusal(InetAddress.getByName("fd00::5"))).isEmpty();
    assertThat(lenient.refusal(InetAddress.getByName("10.0.0.1"))).isPresent();
  }

  @Test
  void aMalformedAllowedNetworkIsAConfigurationErrorNamingTheSetting() {
    assertThatThrownBy(() -> new AddressGuard(List.of("10.0.0.0/33"), HostResolver.SYSTEM))
        .hasMessage(
            "dti.webhooks.allowed-networks: '10.0.0.0/33' has a prefix length outside 0–32");
  }

  @Test
  void registrationNeedsHttpsUnlessPlainHttpIsAllowed() {
    EndpointUrlPolicy strict = new EndpointUrlPolicy(guard, false);

    assertThatThrownBy(() -> strict.check("http://93.184.215.14/hook"))
        .isInstanceOfSatisfying(
            ApiProblem.class,
            p ->
                assertThat(p.getMessage())
                    .isEqualTo(
                        "url: must be an https URL (plain http is allowed only when"
                            + " dti.webhooks.allow-http is true)"));
    assertThat(strict.check("https://93.184.215.14/hook").toString())
        .isEqualTo("https://93.184.215.14/hook");
    assertThat(new EndpointUrlPolicy(guard, true).check("http://93.184.215.14/hook"))
        .hasToString("http://93.184.215.14/hook");
  }

  @Test
  void registrationRefusesAUrlWithCredentialsOrWithoutHost() {
    EndpointUrlPolicy strict = new EndpointUrlPolicy(guard, false);

    assertThatThrownBy(() -> strict.check("https://user:pw@93.184.215.14/"))
        .hasMessage("url: must not contain a user name or password");
    assertThatThrownBy(() -> strict.check("https:///path")).hasMessage("url: has no host");
    assertThatThrownBy(() -> strict.check("https://[::1]/hook"))
        .hasMessage(
            "url: is refused: ::1 is a loopback address (::1/128); webhooks are only sent to"
                + " public addresses.");
  }

  /** A resolver answering from a table, and the system's answer for IP literals. */
  static HostResolver resolver(Map<String, String[]> names) {
    return host -> {
      String[] literals = names.get(host);
      if (literals == null) {
        if (Cidr.looksLikeIpLiteral(host)) {
          return InetAddress.getAllByName(host);
        }
        throw new UnknownHostException(host);
      }
      InetAddress[] addresses = new InetAddress[literals.length];
      for (int i = 0; i < literals.length; i++) {
        addresses[i] =
            InetAddress.getByAddress(host, InetAddress.getByName(literals[i]).getAddress());
      }
      return addresses;
    };
  }
}
