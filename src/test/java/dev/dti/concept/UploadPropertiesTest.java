package dev.dti.concept;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

class UploadPropertiesTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(UploadProperties.class)
  static class Bound {}

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
          .withUserConfiguration(Bound.class);

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    runner.run(
        context -> {
          UploadProperties upload = context.getBean(UploadProperties.class);
          assertThat(upload.maxStoredSide()).isEqualTo(2048);
          assertThat(upload.maxPixelsPerSide()).isEqualTo(4096);
          assertThat(upload.maxMetadataBytes().toBytes()).isEqualTo(256 * 1024);
          assertThat(upload.maxMetadataPercent()).isEqualTo(25);
        });
  }

  @Test
  void aStoredSideBelowOneOrAPercentAbove100StopsTheStart() {
    for (String invalid :
        new String[] {"dti.upload.max-stored-side=0", "dti.upload.max-metadata-percent=101"}) {
      runner
          .withPropertyValues(invalid)
          .run(
              context -> {
                assertThat(context).as(invalid).hasFailed();
                assertThat(context.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining("dti.upload");
              });
    }
  }
}
