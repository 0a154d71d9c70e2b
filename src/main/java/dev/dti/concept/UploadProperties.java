package dev.dti.concept;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of concept image uploads, and the one list of their defaults. They also configure the
 * servlet multipart parser (see {@link UploadConfiguration}), so there is one place to change them.
 *
 * @param maxImageBytes largest accepted image file ({@code DTI_MAX_IMAGE_BYTES})
 * @param maxTotalBytes largest sum of the image files of one request ({@code DTI_MAX_UPLOAD_BYTES})
 * @param maxPixelsPerSide largest accepted width or height, checked in the image header before
 *     decoding, against decompression bombs ({@code DTI_MAX_IMAGE_PIXELS})
 * @param maxStoredSide longest side of the stored image; larger uploads are downscaled to it
 *     ({@code DTI_UPLOAD_MAX_STORED_SIDE})
 * @param maxMetadataBytes an upload may carry this many bytes that are not pixel data, or {@code
 *     maxMetadataPercent} of its size if that is more ({@code DTI_UPLOAD_MAX_METADATA_BYTES})
 * @param maxMetadataPercent see {@code maxMetadataBytes} ({@code DTI_UPLOAD_MAX_METADATA_PERCENT})
 */
@ConfigurationProperties("dti.upload")
@Validated
public record UploadProperties(
    @DefaultValue("10MB") DataSize maxImageBytes,
    @DefaultValue("60MB") DataSize maxTotalBytes,
    @DefaultValue("4096") @Min(1) int maxPixelsPerSide,
    @DefaultValue("2048") @Min(1) int maxStoredSide,
    @DefaultValue("256KB") DataSize maxMetadataBytes,
    @DefaultValue("25") @Min(0) @Max(100) int maxMetadataPercent) {}
