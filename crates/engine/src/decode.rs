use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, metadata::Orientation};

use super::{AnalysisError, AnalysisLimits};

/// The media types of the formats the engine decodes (GIF: its first frame).
pub const ACCEPTED_MEDIA_TYPES: [&str; 4] = ["image/jpeg", "image/png", "image/webp", "image/gif"];

/// A decoded photo, turned upright by its EXIF orientation.
pub struct DecodedPhoto {
    pub image: DynamicImage,
    pub format: ImageFormat,
    /// Whether the source could carry transparency (an alpha channel).
    pub has_alpha: bool,
}

/// What the header of an accepted photo says; nothing decoded yet.
#[derive(Debug, Clone, Copy)]
pub struct PhotoHeader {
    pub format: ImageFormat,
    /// As stored, before EXIF orientation.
    pub width: u32,
    pub height: u32,
}

/// Checks a photo against the limits from its header alone: cheap enough to
/// run on upload, before anything is queued.
pub fn probe_photo(bytes: &[u8], limits: &AnalysisLimits) -> Result<PhotoHeader, AnalysisError> {
    open_decoder(bytes, limits).map(|(_, header)| header)
}

/// Decodes JPEG, PNG, WebP or GIF (first frame). Sizes are checked from the
/// header before any pixel is decoded, so decompression bombs cost nothing.
pub fn decode_photo(bytes: &[u8], limits: &AnalysisLimits) -> Result<DecodedPhoto, AnalysisError> {
    let (mut decoder, header) = open_decoder(bytes, limits)?;
    // A broken EXIF block only loses the orientation, never the photo.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let has_alpha = decoder.color_type().has_alpha();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|error| match error {
        image::ImageError::Limits(_) => AnalysisError::TooManyPixels {
            width: header.width,
            height: header.height,
            limit: limits.max_pixels,
        },
        other => AnalysisError::Corrupt(other.to_string()),
    })?;
    image.apply_orientation(orientation);
    Ok(DecodedPhoto {
        image,
        format: header.format,
        has_alpha,
    })
}

fn open_decoder<'a>(
    bytes: &'a [u8],
    limits: &AnalysisLimits,
) -> Result<(impl ImageDecoder + 'a, PhotoHeader), AnalysisError> {
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
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(decoder_limits(limits));
    let decoder = reader.into_decoder().map_err(|error| match error {
        image::ImageError::Limits(_) => too_many_pixels_unknown(limits),
        other => AnalysisError::Corrupt(other.to_string()),
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
    Ok((
        decoder,
        PhotoHeader {
            format,
            width,
            height,
        },
    ))
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
