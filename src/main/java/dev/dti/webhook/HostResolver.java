package dev.dti.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Turns a host name (or an IP literal) into its addresses; the system resolver in production. */
@FunctionalInterface
public interface HostResolver {

  HostResolver SYSTEM = InetAddress::getAllByName;

  InetAddress[] resolve(String host) throws UnknownHostException;
}
