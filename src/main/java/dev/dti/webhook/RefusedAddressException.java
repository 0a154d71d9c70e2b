package dev.dti.webhook;

import java.net.UnknownHostException;

/**
 * A host resolves to an address webhooks may not be sent to; the message is a sentence for the
 * tenant. An {@link UnknownHostException} so that the HTTP client's resolver can throw it.
 */
class RefusedAddressException extends UnknownHostException {

  RefusedAddressException(String sentence) {
    super(sentence);
  }
}
