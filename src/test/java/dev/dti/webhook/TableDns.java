package dev.dti.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Host names resolve from {@link WebhookTestBase#DNS}, which a test may change between registration
 * and delivery; IP literals and localhost resolve as usual.
 */
@TestConfiguration(proxyBeanMethods = false)
class TableDns {

  @Bean
  @Primary
  HostResolver tableResolver() {
    return host -> {
      String address = WebhookTestBase.DNS.get(host);
      if (address != null) {
        return new InetAddress[] {
          InetAddress.getByAddress(host, InetAddress.getByName(address).getAddress())
        };
      }
      if (Cidr.looksLikeIpLiteral(host) || host.equals("localhost")) {
        return InetAddress.getAllByName(host);
      }
      throw new UnknownHostException(host);
    };
  }
}
