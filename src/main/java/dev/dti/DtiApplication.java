package dev.dti;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class DtiApplication {

  public static void main(String[] args) {
    // DJL must never phone home or download: these machines and most GPU clusters are offline.
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    System.setProperty("OPT_OUT_TRACKING", "true");
    var command = Commands.find(args);
    if (command.isPresent()) {
      System.exit(Commands.run(command.get(), args));
    }
    SpringApplication.run(DtiApplication.class, args);
  }
}
