package dev.dti.concept;

import jakarta.servlet.MultipartConfigElement;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/** The servlet multipart limits, derived from {@link UploadProperties}. */
@Configuration(proxyBeanMethods = false)
class UploadConfiguration {

  /** Room for the text fields and part headers beside the images. */
  private static final DataSize FORM_FIELDS_ALLOWANCE = DataSize.ofMegabytes(1);

  @Bean
  MultipartConfigElement multipartConfigElement(UploadProperties upload) {
    long maxRequest = upload.maxTotalBytes().toBytes() + FORM_FIELDS_ALLOWANCE.toBytes();
    // Parts up to 1 MB stay in memory; larger ones are buffered in temporary files.
    return new MultipartConfigElement(
        "", upload.maxImageBytes().toBytes(), maxRequest, (int) DataSize.ofMegabytes(1).toBytes());
  }
}
