//! Template images: every accepted image, uploaded or built in, is stored as
//! a PNG with alpha of at most `stored_side` pixels a side. CPU-bound:
//! call from a blocking thread.

use image::RgbaImage;
use image::imageops::FilterType;

use crate::analysis::{AnalysisError, AnalysisLimits, decode_photo, encode_png};

#[derive(Debug, Clone, Copy)]
pub struct TemplateImageLimits {
    pub max_bytes: usize,
    pub max_side: u32,
    pub stored_side: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateImageError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is {size} bytes; at most {limit} bytes are accepted")]
    TooLarge { size: usize, limit: usize },
    #[error("the image is {width}x{height}; at most {limit}x{limit} pixels are accepted")]
    TooManyPixels { width: u32, height: u32, limit: u32 },
    #[error("not a supported image: use PNG, JPEG, WebP or GIF")]
    Unsupported,
    #[error("the image data is corrupt or truncated")]
    Corrupt,
    /// Writing the stored PNG failed: ours, not the upload's.
    #[error("the image could not be stored as PNG: {0}")]
    Encode(String),
}

/// Checks an uploaded template image and re-encodes it as a PNG with alpha.
pub fn normalise_template_image(
    bytes: &[u8],
    limits: TemplateImageLimits,
) -> Result<Vec<u8>, TemplateImageError> {
    let decode_limits = AnalysisLimits {
        max_bytes: limits.max_bytes,
        max_pixels: u64::from(limits.max_side) * u64::from(limits.max_side),
    };
    let photo = decode_photo(bytes, &decode_limits).map_err(|error| match error {
        AnalysisError::Empty => TemplateImageError::Empty,
        AnalysisError::TooLarge { size, limit } => TemplateImageError::TooLarge { size, limit },
        AnalysisError::TooManyPixels { width, height, .. } => TemplateImageError::TooManyPixels {
            width,
            height,
            limit: limits.max_side,
        },
        AnalysisError::UnsupportedFormat => TemplateImageError::Unsupported,
        _ => TemplateImageError::Corrupt,
    })?;
    let (width, height) = (photo.image.width(), photo.image.height());
    if width > limits.max_side || height > limits.max_side {
        return Err(TemplateImageError::TooManyPixels {
            width,
            height,
            limit: limits.max_side,
        });
    }
    let image = fit_within(photo.image.into_rgba8(), limits.stored_side);
    encode_png(&image).map_err(|error| TemplateImageError::Encode(error.to_string()))
}

/// Renders built-in SVG art: the drawing (not its page) is scaled to fill
/// a transparent square of `side` pixels, centred, so every set covers a
/// face the same way whatever margins its artists left.
pub fn render_svg(svg: &[u8], side: u32) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};

    let tree = usvg::Tree::from_data(svg, &usvg::Options::default()).map_err(|e| e.to_string())?;
    let drawing = drawn_bounds(tree.root()).ok_or("the SVG draws nothing")?;
    let extent = drawing.width().max(drawing.height());
    // One pixel of margin keeps the anti-aliased edge whole.
    let scale = (side as f32 - 2.0) / extent;
    let half = side as f32 / 2.0;
    let transform = tiny_skia::Transform::from_row(
        scale,
        0.0,
        0.0,
        scale,
        half - (drawing.x() + drawing.width() / 2.0) * scale,
        half - (drawing.y() + drawing.height() / 2.0) * scale,
    );
    let mut pixmap = tiny_skia::Pixmap::new(side, side).ok_or("bad canvas size")?;
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|error| error.to_string())
}

/// The area the shapes cover. Not the root group's box: usvg counts empty
/// groups (OpenMoji has several) as a box at the origin.
fn drawn_bounds(group: &resvg::usvg::Group) -> Option<resvg::tiny_skia::Rect> {
    use resvg::{tiny_skia::Rect, usvg::Node};

    group
        .children()
        .iter()
        .filter_map(|node| match node {
            Node::Group(inner) => drawn_bounds(inner),
            other => Some(other.abs_stroke_bounding_box()),
        })
        .filter(|rect| rect.width() > 0.0 && rect.height() > 0.0)
        .reduce(|a, b| {
            Rect::from_ltrb(
                a.left().min(b.left()),
                a.top().min(b.top()),
                a.right().max(b.right()),
                a.bottom().max(b.bottom()),
            )
            .unwrap_or(a)
        })
}

fn fit_within(image: RgbaImage, side: u32) -> RgbaImage {
    if image.width() <= side && image.height() <= side {
        return image;
    }
    let scale = side as f32 / image.width().max(image.height()) as f32;
    let width = ((image.width() as f32 * scale).round() as u32).clamp(1, side);
    let height = ((image.height() as f32 * scale).round() as u32).clamp(1, side);
    image::imageops::resize(&image, width, height, FilterType::Lanczos3)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: TemplateImageLimits = TemplateImageLimits {
        max_bytes: 2 * 1024 * 1024,
        max_side: 2048,
        stored_side: 512,
    };

    fn png_of(width: u32, height: u32) -> Vec<u8> {
        encode_png(&RgbaImage::from_pixel(
            width,
            height,
            image::Rgba([200, 10, 10, 128]),
        ))
        .unwrap()
    }

    #[test]
    fn large_images_are_shrunk_to_the_stored_size_keeping_alpha() {
        let png = normalise_template_image(&png_of(1024, 512), LIMITS).unwrap();
        let stored = image::load_from_memory(&png).unwrap();
        assert_eq!((stored.width(), stored.height()), (512, 256));
        assert_eq!(stored.to_rgba8().get_pixel(10, 10)[3], 128);
    }

    #[test]
    fn bad_files_are_told_apart() {
        assert!(matches!(
            normalise_template_image(b"", LIMITS),
            Err(TemplateImageError::Empty)
        ));
        assert!(matches!(
            normalise_template_image(b"%PDF-1.4 hello", LIMITS),
            Err(TemplateImageError::Unsupported)
        ));
        let png = png_of(64, 64);
        assert!(matches!(
            normalise_template_image(&png[..png.len() / 2], LIMITS),
            Err(TemplateImageError::Corrupt)
        ));
        assert!(matches!(
            normalise_template_image(&png_of(2049, 10), LIMITS),
            Err(TemplateImageError::TooManyPixels { .. })
        ));
    }

    #[test]
    fn svg_art_is_cropped_and_centred() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 72 72">
            <circle cx="36" cy="36" r="18" fill="#fc0"/></svg>"##;
        let png = render_svg(svg, 128).unwrap();
        let image = image::load_from_memory(&png).unwrap().to_rgba8();
        assert_eq!(image.dimensions(), (128, 128));
        // The circle now fills the square: its edges touch the borders.
        assert!(image.get_pixel(64, 2)[3] > 100);
        assert!(image.get_pixel(2, 64)[3] > 100);
        assert_eq!(image.get_pixel(2, 2)[3], 0);
    }
}
