package dev.dti.webhook;

import dev.dti.generation.GenerationReads;
import dev.dti.job.JobService;
import java.security.SecureRandom;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires webhooks. Endpoints can be managed in every process; the dispatcher and the senders run
 * where {@code dti.roles} includes api.
 */
@Configuration(proxyBeanMethods = false)
public class WebhookConfiguration {

  @Bean
  HostResolver hostResolver() {
    return HostResolver.SYSTEM;
  }

  @Bean
  AddressGuard addressGuard(WebhookProperties properties, HostResolver resolver) {
    return new AddressGuard(properties.allowedNetworks(), resolver);
  }

  @Bean
  RetrySchedule retrySchedule(WebhookProperties properties) {
    SecureRandom random = new SecureRandom();
    return new RetrySchedule(properties.retrySchedule(), random::nextDouble);
  }

  @Configuration(proxyBeanMethods = false)
  @Conditional(ApiRoleCondition.class)
  static class ApiRole {

    @Bean
    WebhookHttpClient webhookHttpClient(AddressGuard guard, WebhookProperties properties) {
      return new WebhookHttpClient(guard, properties.timeout(), properties.senders());
    }

    @Bean
    WebhookSender webhookSender(
        WebhookRepository webhooks,
        WebhookHttpClient http,
        RetrySchedule schedule,
        TransactionTemplate transactions,
        WebhookProperties properties) {
      return new WebhookSender(webhooks, http, schedule, transactions, properties);
    }

    @Bean
    JobEventDispatcher jobEventDispatcher(
        WebhookRepository webhooks,
        WebhookService service,
        JobService jobs,
        GenerationReads generations,
        TransactionTemplate transactions,
        JsonMapper json,
        WebhookProperties properties,
        WebhookSender sender) {
      return new JobEventDispatcher(
          webhooks,
          service,
          jobs,
          generations,
          transactions,
          json,
          properties.pollInterval(),
          sender::wake);
    }
  }
}
