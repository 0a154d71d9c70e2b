package dev.dti.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A network such as {@code 10.0.0.0/8} or {@code fc00::/7}. */
record Cidr(byte[] network, int prefixLength, String text) {

  /** Parses {@code address/prefix} of IP literals only (no name is resolved). */
  static Cidr parse(String text) {
    String[] parts = text.strip().split("/", -1);
    if (parts.length != 2 || !looksLikeIpLiteral(parts[0])) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a CIDR such as 10.0.0.0/8 or fd00::/8");
    }
    byte[] network;
    try {
      network = InetAddress.getByName(parts[0]).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "' does not start with an IP address", e);
    }
    if (parts[0].contains(":") && network.length == 4) {
      // Java reads ::ffff:a.b.c.d as the IPv4 address; the network is meant in IPv6.
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(network, 0, mapped, 12, 4);
      network = mapped;
    }
    int prefix;
    try {
      prefix = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no numeric prefix length", e);
    }
    if (prefix < 0 || prefix > network.length * 8) {
      throw new IllegalArgumentException(
          "'" + text + "' has a prefix length outside 0–" + network.length * 8);
    }
    return new Cidr(network, prefix, text.strip());
  }

  boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int fullBytes = prefixLength / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int remainingBits = prefixLength % 8;
    if (remainingBits == 0) {
      return true;
    }
    int mask = (0xff << (8 - remainingBits)) & 0xff;
    return (address[fullBytes] & mask) == (network[fullBytes] & mask);
  }

  boolean contains(InetAddress address) {
    return contains(address.getAddress());
  }

  /** IP literals only, so that parsing a CIDR never resolves a name. */
  static boolean looksLikeIpLiteral(String text) {
    return !text.isEmpty() && (text.contains(":") || text.matches("[0-9.]+"));
  }

  @Override
  public String toString() {
    return text;
  }
}
