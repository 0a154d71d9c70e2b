package dev.dti.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The SSRF guard: webhooks go only to public addresses. Refused are loopback, private, link-local
 * (the cloud metadata address among them), carrier-grade NAT, multicast, unspecified, broadcast,
 * reserved and documentation addresses, their IPv6 forms, and IPv6 addresses that embed a refused
 * IPv4 address (IPv4-mapped, IPv4-compatible, 6to4, NAT64, Teredo). Networks in {@code
 * dti.webhooks.allowed-networks} are exempt.
 *
 * <p>A host is resolved once and every address it resolves to is checked; the HTTP client then
 * connects only to those checked addresses, so a DNS answer that changes between the check and the
 * connection (DNS rebinding) cannot reach a refused address.
 */
public class AddressGuard {

  private record AddressClass(Cidr network, String name) {}

  private static final List<AddressClass> IPV4 =
      List.of(
          refused("0.0.0.0/8", "an unspecified address"),
          refused("10.0.0.0/8", "a private address"),
          refused("100.64.0.0/10", "a carrier-grade NAT address"),
          refused("127.0.0.0/8", "a loopback address"),
          refused("169.254.169.254/32", "the cloud metadata address"),
          refused("169.254.0.0/16", "a link-local address"),
          refused("172.16.0.0/12", "a private address"),
          refused("192.0.0.0/24", "an IETF protocol assignment address"),
          refused("192.0.2.0/24", "a documentation address"),
          refused("192.168.0.0/16", "a private address"),
          refused("198.18.0.0/15", "a benchmarking address"),
          refused("198.51.100.0/24", "a documentation address"),
          refused("203.0.113.0/24", "a documentation address"),
          refused("224.0.0.0/4", "a multicast address"),
          refused("255.255.255.255/32", "the broadcast address"),
          refused("240.0.0.0/4", "a reserved address"));

  private static final List<AddressClass> IPV6 =
      List.of(
          refused("::/128", "an unspecified address"),
          refused("::1/128", "a loopback address"),
          refused("64:ff9b:1::/48", "a local-use NAT64 address"),
          refused("100::/64", "a discard-only address"),
          refused("2001:db8::/32", "a documentation address"),
          refused("fc00::/7", "a private (unique local) address"),
          refused("fe80::/10", "a link-local address"),
          refused("fec0::/10", "a site-local address"),
          refused("ff00::/8", "a multicast address"));

  private static final Cidr IPV4_MAPPED = Cidr.parse("::ffff:0:0/96");
  private static final Cidr IPV4_COMPATIBLE = Cidr.parse("::/96");
  private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96");
  private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");
  private static final Cidr TEREDO = Cidr.parse("2001::/32");

  private final List<Cidr> allowedNetworks;
  private final HostResolver resolver;

  public AddressGuard(List<String> allowedNetworks, HostResolver resolver) {
    this.allowedNetworks = allowedNetworks.stream().map(AddressGuard::allowed).toList();
    this.resolver = resolver;
  }

  private static Cidr allowed(String cidr) {
    try {
      return Cidr.parse(cidr);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("dti.webhooks.allowed-networks: " + e.getMessage(), e);
    }
  }

  /**
   * Every address of {@code host} (a name or an IP literal), each one checked; throws {@link
   * RefusedAddressException} naming the first refused address and its class.
   */
  public InetAddress[] resolve(String host) throws UnknownHostException {
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    InetAddress[] addresses = resolver.resolve(bare);
    if (addresses == null || addresses.length == 0) {
      throw new UnknownHostException(bare + " does not resolve to any address.");
    }
    for (InetAddress address : addresses) {
      Optional<String> refusal = refusal(address);
      if (refusal.isPresent()) {
        throw new RefusedAddressException(
            (Cidr.looksLikeIpLiteral(bare)
                    ? bare + " is "
                    : bare + " resolves to " + address.getHostAddress() + ", ")
                + refusal.get()
                + "; webhooks are only sent to public addresses.");
      }
    }
    return addresses;
  }

  /** The class of a refused address ("a private address (10.0.0.0/8)"), or empty if allowed. */
  public Optional<String> refusal(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (allowedNetworks.stream().anyMatch(network -> network.contains(bytes))) {
      return Optional.empty();
    }
    return bytes.length == 4 ? ipv4Refusal(bytes) : ipv6Refusal(bytes);
  }

  private Optional<String> ipv4Refusal(byte[] bytes) {
    return IPV4.stream()
        .filter(c -> c.network().contains(bytes))
        .findFirst()
        .map(c -> c.name() + " (" + c.network() + ")");
  }

  private Optional<String> ipv6Refusal(byte[] bytes) {
    Optional<String> own =
        IPV6.stream()
            .filter(c -> c.network().contains(bytes))
            .findFirst()
            .map(c -> c.name() + " (" + c.network() + ")");
    if (own.isPresent()) {
      return own;
    }
    if (IPV4_MAPPED.contains(bytes)) {
      return embedded("an IPv4-mapped address", Arrays.copyOfRange(bytes, 12, 16));
    }
    if (IPV4_COMPATIBLE.contains(bytes)) {
      return embedded("an IPv4-compatible address", Arrays.copyOfRange(bytes, 12, 16));
    }
    if (NAT64.contains(bytes)) {
      return embedded("a NAT64 address", Arrays.copyOfRange(bytes, 12, 16));
    }
    if (SIX_TO_FOUR.contains(bytes)) {
      return embedded("a 6to4 address", Arrays.copyOfRange(bytes, 2, 6));
    }
    if (TEREDO.contains(bytes)) {
      byte[] client = Arrays.copyOfRange(bytes, 12, 16);
      for (int i = 0; i < client.length; i++) {
        client[i] = (byte) ~client[i];
      }
      return embedded("a Teredo address", client);
    }
    return Optional.empty();
  }

  /** An IPv6 address that reaches an IPv4 one is refused when that one is. */
  private Optional<String> embedded(String form, byte[] ipv4) {
    if (allowedNetworks.stream().anyMatch(network -> network.contains(ipv4))) {
      return Optional.empty();
    }
    return ipv4Refusal(ipv4).map(refusal -> form + " of " + ipv4Literal(ipv4) + ", " + refusal);
  }

  private static String ipv4Literal(byte[] ipv4) {
    return (ipv4[0] & 0xff)
        + "."
        + (ipv4[1] & 0xff)
        + "."
        + (ipv4[2] & 0xff)
        + "."
        + (ipv4[3] & 0xff);
  }

  private static AddressClass refused(String cidr, String name) {
    return new AddressClass(Cidr.parse(cidr), name);
  }
}
