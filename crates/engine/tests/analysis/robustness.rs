//! Hostile and broken inputs get typed errors, never a panic.

use std::io::Cursor;

use igemoji_engine::{AnalysisError, AnalysisLimits, decode_photo};
use image::{DynamicImage, ImageFormat};

use crate::helpers::{analyzer, fixture};

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32(&ihdr).to_be_bytes());
    // A tiny, bogus IDAT: decoding must never get this far.
    png.extend(4u32.to_be_bytes());
    png.extend(b"IDAT\0\0\0\0");
    png.extend(crc32(b"IDAT\0\0\0\0").to_be_bytes());
    png
}

#[test]
fn an_empty_file_is_refused() {
    assert!(matches!(analyzer().analyze(&[]), Err(AnalysisError::Empty)));
}

#[test]
fn random_bytes_and_text_are_not_images() {
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert!(matches!(
        analyzer().analyze(&random),
        Err(AnalysisError::UnsupportedFormat)
    ));
    let text = b"hello, I am a text file named photo.jpg\n".repeat(20);
    assert!(matches!(
        analyzer().analyze(&text),
        Err(AnalysisError::UnsupportedFormat)
    ));
}

#[test]
fn a_truncated_jpeg_is_corrupt() {
    let jpeg = fixture("faceapi_sample1.jpg");
    for cut in [20, 600, jpeg.len() / 3, jpeg.len() / 2] {
        match analyzer().analyze(&jpeg[..cut]) {
            Err(AnalysisError::Corrupt(_)) => {}
            // A cut inside the scan may still decode (with grey rows): fine.
            Ok(_) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    assert!(matches!(
        analyzer().analyze(&jpeg[..20]),
        Err(AnalysisError::Corrupt(_))
    ));
}

#[test]
fn a_decompression_bomb_is_refused_from_its_header() {
    let bomb = png_declaring(100_000, 100_000);
    match analyzer().analyze(&bomb) {
        Err(AnalysisError::TooManyPixels { width, height, .. }) => {
            assert_eq!((width, height), (100_000, 100_000));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn files_over_the_byte_limit_are_refused() {
    let limits = AnalysisLimits {
        max_bytes: 1000,
        max_pixels: 50_000_000,
    };
    let result = decode_photo(&fixture("faceapi_sample1.jpg"), &limits);
    assert!(matches!(result, Err(AnalysisError::TooLarge { .. })));
}

#[test]
fn a_huge_exif_block_does_not_break_decoding() {
    let jpeg = fixture("skimage_astronaut.png");
    let photo = image::load_from_memory(&jpeg).unwrap();
    let clean = encoded(&photo, ImageFormat::Jpeg);
    // SOI, then 80 maximal APP1 "Exif" segments (about 5 MB) of junk.
    let mut hostile = clean[..2].to_vec();
    for _ in 0..80 {
        hostile.extend([0xFF, 0xE1, 0xFF, 0xFF]);
        hostile.extend(b"Exif\0\0");
        hostile.extend(std::iter::repeat_n(0xAB, 0xFFFF - 2 - 6));
    }
    hostile.extend(&clean[2..]);
    let analysis = analyzer().analyze(&hostile).unwrap();
    assert_eq!(analysis.faces.len(), 1);
}

#[test]
fn every_supported_format_and_pixel_layout_is_analysed() {
    let photo = image::load_from_memory(&fixture("skimage_astronaut.png")).unwrap();
    let variants = [
        (
            "grayscale jpeg",
            encoded(
                &DynamicImage::ImageLuma8(photo.to_luma8()),
                ImageFormat::Jpeg,
            ),
        ),
        (
            "rgba png",
            encoded(
                &DynamicImage::ImageRgba8(photo.to_rgba8()),
                ImageFormat::Png,
            ),
        ),
        (
            "16-bit png",
            encoded(
                &DynamicImage::ImageRgb16(photo.to_rgb16()),
                ImageFormat::Png,
            ),
        ),
        (
            "webp",
            encoded(
                &DynamicImage::ImageRgba8(photo.to_rgba8()),
                ImageFormat::WebP,
            ),
        ),
        (
            "gif",
            encoded(
                &DynamicImage::ImageRgba8(photo.to_rgba8()),
                ImageFormat::Gif,
            ),
        ),
    ];
    let variants = variants.into_iter().chain([
        ("progressive jpeg", fixture("astronaut_progressive.jpg")),
        ("cmyk jpeg", fixture("astronaut_cmyk.jpg")),
    ]);
    for (name, bytes) in variants {
        let analysis = analyzer()
            .analyze(&bytes)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(analysis.faces.len(), 1, "{name}");
    }
}

#[test]
fn unsupported_image_formats_are_refused() {
    // A BMP header (magic "BM"): a real format, but not one we accept.
    let mut bmp = b"BM".to_vec();
    bmp.extend([0u8; 64]);
    assert!(matches!(
        analyzer().analyze(&bmp),
        Err(AnalysisError::UnsupportedFormat)
    ));
}
