//! Pasting each face's emoji onto the photo. Pure image work: call from a
//! blocking thread.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{Pixel, RgbImage, Rgba, RgbaImage};
use imageproc::geometric_transformations::{Interpolation, rotate_about_center};

use crate::analysis::BoundingBox;

/// The emoji covers a square this much larger than the face's box, so hair
/// line and chin are hidden too.
pub const COVER_SCALE: f32 = 1.3;
const JPEG_QUALITY: u8 = 88;

/// A photo the emojis are pasted onto: RGB, or RGBA when the upload had
/// transparency (then the result is a PNG and keeps it).
pub trait Canvas {
    fn dimensions(&self) -> (u32, u32);
    fn blend(&mut self, x: u32, y: u32, source: Rgba<u8>);
}

impl Canvas for RgbImage {
    fn dimensions(&self) -> (u32, u32) {
        RgbImage::dimensions(self)
    }

    fn blend(&mut self, x: u32, y: u32, source: Rgba<u8>) {
        let alpha = u16::from(source[3]);
        let target = self.get_pixel_mut(x, y);
        for channel in 0..3 {
            let mixed =
                u16::from(source[channel]) * alpha + u16::from(target[channel]) * (255 - alpha);
            target[channel] = ((mixed + 127) / 255) as u8;
        }
    }
}

impl Canvas for RgbaImage {
    fn dimensions(&self) -> (u32, u32) {
        RgbaImage::dimensions(self)
    }

    fn blend(&mut self, x: u32, y: u32, source: Rgba<u8>) {
        self.get_pixel_mut(x, y).blend(&source);
    }
}

/// Pastes `emoji` over the face in `face_box`: scaled to cover
/// [`COVER_SCALE`] × the box, centred on it, turned by the head's roll
/// (degrees, clockwise positive) and alpha-blended.
pub fn paste_emoji(
    canvas: &mut impl Canvas,
    emoji: &RgbaImage,
    face_box: &BoundingBox,
    roll_degrees: f32,
) {
    let side = (face_box.width.max(face_box.height) * COVER_SCALE)
        .round()
        .max(4.0) as u32;
    let scale = side as f32 / emoji.width().max(emoji.height()) as f32;
    let width = ((emoji.width() as f32 * scale).round() as u32).max(1);
    let height = ((emoji.height() as f32 * scale).round() as u32).max(1);
    let filter = if scale < 1.0 {
        FilterType::Triangle
    } else {
        FilterType::CatmullRom
    };
    let sized = image::imageops::resize(emoji, width, height, filter);

    // Room for the corners to turn without being cut off.
    let room = ((width.max(height) as f32) * std::f32::consts::SQRT_2).ceil() as u32 + 2;
    let mut padded = RgbaImage::new(room, room);
    image::imageops::replace(
        &mut padded,
        &sized,
        i64::from((room - width) / 2),
        i64::from((room - height) / 2),
    );
    let turned = if roll_degrees.abs() < 0.5 {
        padded
    } else {
        rotate_about_center(
            &padded,
            roll_degrees.to_radians(),
            Interpolation::Bilinear,
            Rgba([0, 0, 0, 0]),
        )
    };

    let centre = face_box.center();
    let left = (centre.x - room as f32 / 2.0).round() as i64;
    let top = (centre.y - room as f32 / 2.0).round() as i64;
    let (canvas_width, canvas_height) = canvas.dimensions();
    for (x, y, pixel) in turned.enumerate_pixels() {
        if pixel[3] == 0 {
            continue;
        }
        let (cx, cy) = (left + i64::from(x), top + i64::from(y));
        if cx < 0 || cy < 0 || cx >= i64::from(canvas_width) || cy >= i64::from(canvas_height) {
            continue;
        }
        canvas.blend(cx as u32, cy as u32, *pixel);
    }
}

pub fn encode_jpeg(image: &RgbImage) -> Result<Vec<u8>, image::ImageError> {
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY).encode_image(image)?;
    Ok(jpeg)
}

pub fn encode_png(image: &RgbaImage) -> Result<Vec<u8>, image::ImageError> {
    let mut png = Vec::new();
    image.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)?;
    Ok(png)
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

    fn face_at(x: f32, y: f32, side: f32) -> BoundingBox {
        BoundingBox {
            x,
            y,
            width: side,
            height: side,
        }
    }

    #[test]
    fn the_emoji_covers_the_face_box_and_no_more_than_its_margin() {
        let mut photo = RgbImage::from_pixel(400, 300, Rgb([0, 0, 255]));
        let emoji = RgbaImage::from_pixel(64, 64, Rgba([255, 0, 0, 255]));
        paste_emoji(&mut photo, &emoji, &face_at(100.0, 100.0, 100.0), 0.0);
        // Inside the box and inside the 1.3× margin: red.
        assert_eq!(photo.get_pixel(150, 150), &Rgb([255, 0, 0]));
        assert_eq!(photo.get_pixel(88, 150), &Rgb([255, 0, 0]));
        // Beyond the margin (65 px from the centre): untouched.
        assert_eq!(photo.get_pixel(150, 84), &Rgb([0, 0, 255]));
        assert_eq!(photo.get_pixel(300, 150), &Rgb([0, 0, 255]));
    }

    #[test]
    fn transparent_emoji_pixels_leave_the_photo_alone_and_half_alpha_mixes() {
        let mut photo = RgbImage::from_pixel(200, 200, Rgb([0, 0, 0]));
        let emoji = RgbaImage::from_fn(64, 32, |x, _| {
            Rgba([255, 255, 255, if x < 32 { 0 } else { 128 }])
        });
        paste_emoji(&mut photo, &emoji, &face_at(50.0, 50.0, 100.0), 0.0);
        assert_eq!(photo.get_pixel(70, 100), &Rgb([0, 0, 0]));
        assert_eq!(photo.get_pixel(130, 100), &Rgb([128, 128, 128]));
    }

    #[test]
    fn the_emoji_turns_with_the_head() {
        // A tall bar turned by 90° becomes a wide one.
        let mut photo = RgbImage::from_pixel(300, 300, Rgb([0, 0, 0]));
        let mut emoji = RgbaImage::new(64, 64);
        for y in 0..64 {
            for x in 28..36 {
                emoji.put_pixel(x, y, Rgba([255, 255, 255, 255]));
            }
        }
        paste_emoji(&mut photo, &emoji, &face_at(100.0, 100.0, 100.0), 90.0);
        assert_eq!(photo.get_pixel(150, 100)[0], 0, "the upright bar is gone");
        assert_eq!(photo.get_pixel(100, 150)[0], 255, "the bar lies across");
    }

    #[test]
    fn faces_at_the_edge_are_clipped_not_a_panic() {
        let mut photo = RgbaImage::new(50, 50);
        let emoji = RgbaImage::from_pixel(16, 16, Rgba([9, 9, 9, 255]));
        paste_emoji(&mut photo, &emoji, &face_at(-30.0, 40.0, 60.0), 30.0);
        assert_eq!(photo.get_pixel(0, 49)[3], 255);
    }
}
