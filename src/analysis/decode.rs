use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, metadata::Orientation};

use super::{AnalysisError, AnalysisLimits};

/// A decoded photo, turned upright by its EXIF orientation.
pub struct DecodedPhoto {
    pub image: DynamicImage,
    pub format: ImageFormat,
    /// Whether the source could carry transparency (an alpha channel).
    pub has_alpha: bool,
}

/// Decodes JPEG, PNG, WebP or GIF (first frame). Sizes are checked from the
/// header before any pixel is decoded, so decompression bombs cost nothing.
pub fn decode_photo(bytes: &[u8], limits: &AnalysisLimits) -> Result<DecodedPhoto, AnalysisError> {
    if bytes.is_empty() {
        return Err(AnalysisError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(AnalysisError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let format = image::guess_format(bytes).map_err(|_| AnalysisError::UnsupportedFormat)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif
    ) {
        return Err(AnalysisError::UnsupportedFormat);
    }
    let corrupt = |error: image::ImageError| AnalysisError::Corrupt(error.to_string());

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits(limits));
    let mut decoder = reader.into_decoder().map_err(|error| match error {
        image::ImageError::Limits(_) => too_many_pixels_unknown(limits),
        other => corrupt(other),
    })?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(AnalysisError::Corrupt("the image has no pixels".into()));
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(AnalysisError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    // A broken EXIF block only loses the orientation, never the photo.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let has_alpha = decoder.color_type().has_alpha();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|error| match error {
        image::ImageError::Limits(_) => AnalysisError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        },
        other => corrupt(other),
    })?;
    image.apply_orientation(orientation);
    Ok(DecodedPhoto {
        image,
        format,
        has_alpha,
    })
}

fn decoder_limits(limits: &AnalysisLimits) -> Limits {
    let side = u32::try_from(limits.max_pixels).unwrap_or(u32::MAX);
    let mut decoder_limits = Limits::default();
    decoder_limits.max_image_width = Some(side);
    decoder_limits.max_image_height = Some(side);
    // Room for the largest accepted image at 16-bit RGBA, plus decoder state.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8) + 64 * 1024 * 1024);
    decoder_limits
}

fn too_many_pixels_unknown(limits: &AnalysisLimits) -> AnalysisError {
    AnalysisError::TooManyPixels {
        width: 0,
        height: 0,
        limit: limits.max_pixels,
    }
}
