package dev.dti.security;

import dev.dti.cli.CommandGroup;
import dev.dti.security.TenantRecords.CreatedTenant;
import dev.dti.web.ApiProblem;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The jar's administration commands, run against the configured database without the web server and
 * without job workers ({@code dti.roles=api} in a non-web context):
 *
 * <pre>
 * java -jar dti-service.jar tenant create NAME
 * java -jar dti-service.jar key create TENANT   (tenant id or name)
 * java -jar dti-service.jar key revoke KEYID
 * </pre>
 */
public final class Cli {

  private static final String USAGE =
      """
      usage: java -jar dti-service.jar tenant create NAME
             java -jar dti-service.jar key create TENANT   (tenant id or name)
             java -jar dti-service.jar key revoke KEYID""";

  private Cli() {}

  /** The jar command group {@code name} ("tenant" or "key"), for {@link dev.dti.Commands}. */
  public static CommandGroup group(String name, Class<?> application) {
    return new CommandGroup() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String summary() {
        return name.equals("tenant")
            ? "create a tenant and its first API key"
            : "create or revoke API keys";
      }

      @Override
      public int run(String[] args) {
        String[] all = new String[args.length + 1];
        all[0] = name;
        System.arraycopy(args, 0, all, 1, args.length);
        return Cli.run(application, all, System.out);
      }
    };
  }

  /**
   * Runs one command; returns the process exit code (0 done, 1 refused, 2 usage). Arguments
   * starting with {@code --} are Spring properties (e.g. {@code --spring.datasource.url=…}).
   */
  public static int run(Class<?> application, String[] args, PrintStream out) {
    String[] words = Arrays.stream(args).filter(a -> !a.startsWith("--")).toArray(String[]::new);
    String[] options = Arrays.stream(args).filter(a -> a.startsWith("--")).toArray(String[]::new);
    String command = words.length >= 2 ? words[0] + " " + words[1] : "";
    if (words.length != 3
        || !Set.of("tenant create", "key create", "key revoke").contains(command)) {
      out.println(USAGE);
      return 2;
    }
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(application)
            .web(WebApplicationType.NONE)
            .properties("dti.roles=api", "spring.main.banner-mode=off", "logging.level.root=warn")
            .run(options)) {
      TenantService tenants = context.getBean(TenantService.class);
      TenantRepository repository = context.getBean(TenantRepository.class);
      return execute(command, words[2], tenants, repository, out);
    }
  }

  private static int execute(
      String command,
      String argument,
      TenantService tenants,
      TenantRepository repository,
      PrintStream out) {
    try {
      switch (command) {
        case "tenant create" -> {
          CreatedTenant created = tenants.createTenant(argument);
          out.println("tenant " + created.tenant().id() + " " + created.tenant().name());
          printKey(out, created.key());
        }
        case "key create" -> {
          UUID tenantId =
              parseUuid(argument)
                  .orElseGet(
                      () ->
                          repository
                              .findTenantByName(argument)
                              .orElseThrow(
                                  () ->
                                      ApiProblem.notFound(
                                          "There is no tenant named '" + argument + "'."))
                              .id());
          printKey(out, tenants.createKey(tenantId, "cli"));
        }
        default -> {
          UUID keyId =
              parseUuid(argument)
                  .orElseThrow(() -> ApiProblem.badRequest("KEYID must be a key id (UUID)."));
          tenants.revokeKey(keyId);
          out.println("revoked key " + keyId);
        }
      }
      return 0;
    } catch (ApiProblem refused) {
      out.println("error: " + refused.getMessage());
      return 1;
    }
  }

  private static void printKey(PrintStream out, IssuedKey key) {
    out.println("key " + key.id());
    out.println("api key (shown only once): " + key.key());
  }

  private static Optional<UUID> parseUuid(String value) {
    try {
      return Optional.of(UUID.fromString(value));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
