package dev.dti.concept;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of concept image uploads. They also configure the servlet multipart parser (see {@link
 * UploadConfiguration}), so there is one place to change them.
 *
 * @param maxImageBytes largest accepted image file ({@code DTI_MAX_IMAGE_BYTES})
 * @param maxTotalBytes largest sum of the image files of one request ({@code DTI_MAX_UPLOAD_BYTES})
 * @param maxPixelsPerSide largest accepted width or height, checked in the image header before
 *     decoding ({@code DTI_MAX_IMAGE_PIXELS})
 */
@ConfigurationProperties("dti.upload")
public record UploadProperties(
    @DefaultValue("10MB") DataSize maxImageBytes,
    @DefaultValue("60MB") DataSize maxTotalBytes,
    @DefaultValue("4096") int maxPixelsPerSide) {}
