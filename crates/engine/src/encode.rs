//! Encoding results: JPEG for photos, PNG where transparency must stay, and
//! thumbnails. Pure image work: call from a blocking thread.

use std::io::Cursor;

use image::{Pixel, RgbImage, RgbaImage};

use crate::shrink_by_blocks;

const JPEG_QUALITY: u8 = 88;

#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("a JPEG is at most 65535 pixels on a side; the result is {width}x{height}")]
    TooLargeForJpeg { width: u32, height: u32 },
    #[error(transparent)]
    Jpeg(#[from] libjpeg_turbo_rs::JpegError),
    #[error(transparent)]
    Png(#[from] image::ImageError),
}

/// Up to this many pixels the JPEG keeps full colour resolution, so the
/// emojis' sharp coloured edges stay clean; bigger photos, seen scaled down,
/// halve it as cameras do (4:2:0), which saves two fifths of the encoding
/// time (12 MP: ~30 ms against ~52 ms) and a quarter of the bytes.
const FULL_CHROMA_MAX_PIXELS: u64 = 4_000_000;

/// Baseline JPEG with the standard tables. libjpeg-turbo-rs (libjpeg-turbo's
/// SIMD pipeline in Rust) is about three times as fast as jpeg-encoder, the
/// previous choice, for the same bytes: 1.2 MP 4:4:4 6 ms against 18 ms,
/// 12 MP 4:2:0 30 ms against 86 ms.
pub fn encode_jpeg(image: &RgbImage) -> Result<Vec<u8>, EncodeError> {
    const JPEG_MAX_SIDE: u32 = u16::MAX as u32;
    if image.width() > JPEG_MAX_SIDE || image.height() > JPEG_MAX_SIDE {
        return Err(EncodeError::TooLargeForJpeg {
            width: image.width(),
            height: image.height(),
        });
    }
    let pixels = u64::from(image.width()) * u64::from(image.height());
    let subsampling = if pixels <= FULL_CHROMA_MAX_PIXELS {
        libjpeg_turbo_rs::Subsampling::S444
    } else {
        libjpeg_turbo_rs::Subsampling::S420
    };
    Ok(libjpeg_turbo_rs::compress(
        image.as_raw(),
        image.width() as usize,
        image.height() as usize,
        libjpeg_turbo_rs::PixelFormat::Rgb,
        JPEG_QUALITY,
        subsampling,
    )?)
}

pub fn encode_png(image: &RgbaImage) -> Result<Vec<u8>, EncodeError> {
    let mut png = Vec::new();
    image.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)?;
    Ok(png)
}

/// A photo's thumbnail, at most `side` pixels on its longer edge. Whole
/// blocks are averaged down to less than twice the size first, which is
/// 2-3 times faster than area-averaging all the way (8 instead of 27 ms at
/// 12 MP); the last step is the same.
pub fn photo_thumbnail(image: &RgbImage, side: u32) -> RgbImage {
    let factor = image.width().max(image.height()) / side;
    if factor >= 2 {
        thumbnail(&shrink_by_blocks(image, factor), side)
    } else {
        thumbnail(image, side)
    }
}

/// A copy at most `side` pixels on its longer edge.
pub fn thumbnail<P>(
    image: &image::ImageBuffer<P, Vec<u8>>,
    side: u32,
) -> image::ImageBuffer<P, Vec<u8>>
where
    P: Pixel<Subpixel = u8> + 'static,
{
    let (width, height) = image.dimensions();
    if width <= side && height <= side {
        return image.clone();
    }
    let scale = side as f32 / width.max(height) as f32;
    image::imageops::thumbnail(
        image,
        ((width as f32 * scale).round() as u32).max(1),
        ((height as f32 * scale).round() as u32).max(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn the_jpeg_keeps_the_picture_and_its_colours() {
        // A red square on a blue field: a sharp colour edge.
        let photo = RgbImage::from_fn(96, 64, |x, y| {
            if (20..60).contains(&x) && (10..50).contains(&y) {
                Rgb([230, 20, 20])
            } else {
                Rgb([20, 40, 200])
            }
        });
        let jpeg = encode_jpeg(&photo).unwrap();
        let decoded = image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg)
            .unwrap()
            .into_rgb8();
        assert_eq!(decoded.dimensions(), photo.dimensions());
        let worst = largest_channel_difference(&decoded, &photo);
        // Without chroma subsampling the edge keeps its colours.
        assert!(worst < 40, "largest channel error {worst}");
    }

    fn largest_channel_difference(a: &RgbImage, b: &RgbImage) -> u8 {
        a.as_raw()
            .iter()
            .zip(b.as_raw())
            .map(|(x, y)| x.abs_diff(*y))
            .max()
            .unwrap()
    }

    #[test]
    fn a_result_too_wide_for_jpeg_is_an_error_not_a_panic() {
        let photo = RgbImage::new(70_000, 1);
        assert!(matches!(
            encode_jpeg(&photo),
            Err(EncodeError::TooLargeForJpeg { width: 70_000, .. })
        ));
    }

    #[test]
    fn a_big_photos_thumbnail_matches_plain_area_averaging() {
        let photo = RgbImage::from_fn(4032, 3024, |x, y| {
            Rgb([(x / 16) as u8, (y / 12) as u8, ((x + y) / 28) as u8])
        });
        let fast = photo_thumbnail(&photo, 320);
        let plain = thumbnail(&photo, 320);
        assert_eq!(fast.dimensions(), (320, 240));
        assert_eq!(fast.dimensions(), plain.dimensions());
        let worst = largest_channel_difference(&fast, &plain);
        assert!(worst <= 2, "largest channel difference {worst}");
        let small = RgbImage::new(500, 300);
        assert_eq!(photo_thumbnail(&small, 320).dimensions(), (320, 192));
    }
}
