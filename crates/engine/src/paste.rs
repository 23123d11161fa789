//! Pasting each face's emoji onto the photo. Pure image work: call from a
//! blocking thread.

use image::{ImageBuffer, Pixel, RgbImage, Rgba, RgbaImage};

use crate::BoundingBox;

/// The emoji covers a square this much larger than the face's box, so hair
/// line and chin are hidden too.
pub const COVER_SCALE: f32 = 1.3;

/// A photo the emojis are pasted onto: RGB, or RGBA when the upload had
/// transparency (then the result is a PNG and keeps it).
pub trait Canvas {
    fn dimensions(&self) -> (u32, u32);
    /// The pixels of row `y`, `channels()` bytes each.
    fn row_mut(&mut self, y: u32) -> &mut [u8];
    fn channels(&self) -> usize;
    /// Lays `source` over `pixel` ("over" compositing).
    fn blend(pixel: &mut [u8], source: Premultiplied);
}

/// A colour multiplied by its alpha, in 255ths of the 8-bit scale: each
/// colour channel is `c·a` and the alpha `a·255`, for c and a in 0–255, so
/// integer arithmetic keeps the full precision of both.
#[derive(Clone, Copy, Debug)]
pub struct Premultiplied([u32; 4]);

/// 255²: a full channel or an opaque alpha in [`Premultiplied`] units.
const FULL: u32 = 255 * 255;

impl Canvas for RgbImage {
    fn dimensions(&self) -> (u32, u32) {
        RgbImage::dimensions(self)
    }

    fn row_mut(&mut self, y: u32) -> &mut [u8] {
        pixel_row(self, y)
    }

    fn channels(&self) -> usize {
        3
    }

    #[inline]
    fn blend(pixel: &mut [u8], Premultiplied([r, g, b, alpha]): Premultiplied) {
        // colour/255 + target·(1 − alpha/255²), over a common denominator,
        // rounded.
        let keep = FULL - alpha;
        for (target, colour) in pixel.iter_mut().zip([r, g, b]) {
            let mixed = (colour * 255 + u32::from(*target) * keep + FULL / 2) / FULL;
            *target = mixed.min(255) as u8;
        }
    }
}

impl Canvas for RgbaImage {
    fn dimensions(&self) -> (u32, u32) {
        RgbaImage::dimensions(self)
    }

    fn row_mut(&mut self, y: u32) -> &mut [u8] {
        pixel_row(self, y)
    }

    fn channels(&self) -> usize {
        4
    }

    #[inline]
    fn blend(pixel: &mut [u8], Premultiplied([r, g, b, alpha]): Premultiplied) {
        // Rare (only transparent uploads), so plain floats: the alphas in
        // 0–255; a colour, c·a, is the premultiplied 0–255 value times 255.
        let alpha = alpha as f32 / 255.0;
        let below = f32::from(pixel[3]) * (1.0 - alpha / 255.0);
        let total = alpha + below;
        if total <= 0.0 {
            return;
        }
        for (target, colour) in pixel[..3].iter_mut().zip([r, g, b]) {
            // `+ 0.5` and a saturating cast round without a libm call.
            *target = ((colour as f32 + f32::from(*target) * below) / total + 0.5) as u8;
        }
        pixel[3] = (total + 0.5) as u8;
    }
}

fn pixel_row<P: Pixel<Subpixel = u8>>(image: &mut ImageBuffer<P, Vec<u8>>, y: u32) -> &mut [u8] {
    let stride = image.width() as usize * usize::from(P::CHANNEL_COUNT);
    let start = y as usize * stride;
    &mut image.as_mut()[start..start + stride]
}

/// A template image ready to paste: premultiplied, so that averaging and
/// interpolating an opaque pixel with a transparent one fades it without a
/// dark fringe. Make it once per image and paste it on every face.
pub struct Emoji {
    /// [`Premultiplied`] values, which fit 16 bits.
    pixels: Vec<[u16; 4]>,
    width: usize,
    height: usize,
}

impl From<&RgbaImage> for Emoji {
    fn from(image: &RgbaImage) -> Self {
        let pixels = image
            .pixels()
            .map(|&Rgba([r, g, b, a])| {
                let a16 = u16::from(a);
                [
                    u16::from(r) * a16,
                    u16::from(g) * a16,
                    u16::from(b) * a16,
                    a16 * 255,
                ]
            })
            .collect();
        Emoji {
            pixels,
            width: image.width() as usize,
            height: image.height() as usize,
        }
    }
}

impl Emoji {
    /// Each `factor`×`factor` block averaged into one pixel (a ragged last
    /// row or column is dropped).
    fn shrink_by_blocks(&self, factor: usize) -> Emoji {
        let (width, height) = (self.width / factor, self.height / factor);
        let area = (factor * factor) as u64;
        let mut pixels = Vec::with_capacity(width * height);
        let mut sums = vec![[0u64; 4]; width];
        for block_row in 0..height {
            sums.fill([0; 4]);
            for y in block_row * factor..(block_row + 1) * factor {
                let row = &self.pixels[y * self.width..][..width * factor];
                for (sum, block) in sums.iter_mut().zip(row.chunks_exact(factor)) {
                    for pixel in block {
                        for (total, value) in sum.iter_mut().zip(pixel) {
                            *total += u64::from(*value);
                        }
                    }
                }
            }
            pixels.extend(
                sums.iter()
                    .map(|sum| sum.map(|total| ((total + area / 2) / area) as u16)),
            );
        }
        Emoji {
            pixels,
            width,
            height,
        }
    }

    /// Bilinear sample at (x, y), in 65536ths of a pixel with pixel
    /// centres at whole pixels, clamped to the edges; `None` where it is
    /// less than half a step from transparent.
    #[inline(always)]
    fn sample(&self, x: i64, y: i64) -> Option<Premultiplied> {
        let x = x.clamp(0, (self.width as i64 - 1) << 16) as usize;
        let y = y.clamp(0, (self.height as i64 - 1) << 16) as usize;
        let (x0, y0) = (x >> 16, y >> 16);
        // The weights in 256ths.
        let (fx, fy) = ((x >> 8 & 255) as u32, (y >> 8 & 255) as u32);
        let x1 = (x0 + 1).min(self.width - 1);
        let y1 = (y0 + 1).min(self.height - 1);
        let top = &self.pixels[y0 * self.width..][..self.width];
        let bottom = &self.pixels[y1 * self.width..][..self.width];
        let corners = [top[x0], top[x1], bottom[x0], bottom[x1]];
        // The corners' weights sum to 65536, so each sum is at most
        // 255² · 65536, which fits a u32.
        let weights = [
            (256 - fx) * (256 - fy),
            fx * (256 - fy),
            (256 - fx) * fy,
            fx * fy,
        ];
        let mut mixed = [1u32 << 15; 4];
        for (corner, weight) in corners.iter().zip(weights) {
            for (sum, value) in mixed.iter_mut().zip(corner) {
                *sum += u32::from(*value) * weight;
            }
        }
        let mixed = mixed.map(|sum| sum >> 16);
        (mixed[3] * 2 >= 255).then_some(Premultiplied(mixed))
    }
}

/// Pastes `emoji` over the face in `face_box`: scaled to cover
/// [`COVER_SCALE`] × the box, centred on it, turned by the head's roll
/// (degrees, clockwise positive) and alpha-blended.
pub fn paste_emoji<C: Canvas>(
    canvas: &mut C,
    emoji: &Emoji,
    face_box: &BoundingBox,
    roll_degrees: f32,
) {
    let side = (face_box.width.max(face_box.height) * COVER_SCALE)
        .round()
        .max(4.0) as u32;
    let longer = emoji.width.max(emoji.height);
    let scale = side as f32 / longer as f32;
    let width = ((emoji.width as f32 * scale).round() as u32).max(1);
    let height = ((emoji.height as f32 * scale).round() as u32).max(1);
    // Shrinking by two or more (the usual case: templates are 512 px)
    // averages whole blocks first, so interpolation never skips a source
    // pixel. No block may be wider than the emoji's shorter side.
    let shrunk;
    let source = match (longer / side as usize).min(emoji.width.min(emoji.height)) {
        factor @ 2.. => {
            shrunk = emoji.shrink_by_blocks(factor);
            &shrunk
        }
        _ => emoji,
    };
    // Source pixels per canvas pixel.
    let step_x = source.width as f32 / width as f32;
    let step_y = source.height as f32 / height as f32;
    let (width, height) = (width as f32, height as f32);

    let (half_width, half_height) = (width / 2.0, height / 2.0);
    // Whole-pixel corners keep an upright emoji as sharp as its source.
    let centre = face_box.center();
    let centre_x = (centre.x - half_width).round() + half_width;
    let centre_y = (centre.y - half_height).round() + half_height;
    let (sin, cos) = roll_degrees.to_radians().sin_cos();
    // Along a row, source positions are stepped in 65536ths of a pixel:
    // fixed point is exact enough (an emoji is at most a few thousand
    // pixels wide) and much cheaper than converting floats per pixel.
    let fixed = |value: f32| (f64::from(value) * 65536.0).round() as i64;
    let (step_u, step_v) = (fixed(cos * step_x), fixed(-sin * step_y));
    // The source in the same units, pixel centres at whole pixels:
    // [-½, side − ½).
    let (u_end, v_end) = (
        ((source.width as i64) << 16) - (1 << 15),
        ((source.height as i64) << 16) - (1 << 15),
    );
    let reach_y = half_width * sin.abs() + half_height * cos.abs() + 1.0;
    let (canvas_width, canvas_height) = canvas.dimensions();
    let channels = canvas.channels();
    let from_y = (centre_y - reach_y)
        .floor()
        .clamp(0.0, canvas_height as f32) as u32;
    let to_y = (centre_y + reach_y).ceil().clamp(0.0, canvas_height as f32) as u32;
    for y in from_y..to_y {
        // A canvas pixel's centre (x + 0.5, y + 0.5) turned back into the
        // upright emoji is (u0 + x·cos, v0 − x·sin).
        let dy = y as f32 + 0.5 - centre_y;
        let dx0 = 0.5 - centre_x;
        let u0 = dx0 * cos + dy * sin + half_width;
        let v0 = -dx0 * sin + dy * cos + half_height;
        let Some(columns) = columns_inside(u0, cos, width)
            .and_then(|u_range| intersect(u_range, columns_inside(v0, -sin, height)?))
        else {
            continue;
        };
        // One pixel of slack on each side for rounding; the exact test is
        // below.
        let from_x = (columns.0.floor() - 1.0).clamp(0.0, canvas_width as f32) as usize;
        let to_x = (columns.1.ceil() + 1.0).clamp(0.0, canvas_width as f32) as usize;
        let row = canvas.row_mut(y);
        let mut u = fixed((u0 + from_x as f32 * cos) * step_x - 0.5);
        let mut v = fixed((v0 - from_x as f32 * sin) * step_y - 0.5);
        for pixel in row[from_x * channels..to_x * channels].chunks_exact_mut(channels) {
            let inside = (-(1 << 15)..u_end).contains(&u) && (-(1 << 15)..v_end).contains(&v);
            if inside && let Some(colour) = source.sample(u, v) {
                C::blend(pixel, colour);
            }
            u += step_u;
            v += step_v;
        }
    }
}

/// The x (as a real interval) where `start + x·slope` lies in [0, length).
fn columns_inside(start: f32, slope: f32, length: f32) -> Option<(f32, f32)> {
    if slope.abs() < 1e-6 {
        return (0.0..length)
            .contains(&start)
            .then_some((f32::NEG_INFINITY, f32::INFINITY));
    }
    let (a, b) = (-start / slope, (length - start) / slope);
    Some((a.min(b), a.max(b)))
}

fn intersect(a: (f32, f32), b: (f32, f32)) -> Option<(f32, f32)> {
    let (from, to) = (a.0.max(b.0), a.1.min(b.1));
    (from <= to).then_some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    fn paste<C: Canvas>(canvas: &mut C, emoji: &RgbaImage, face: &BoundingBox, roll: f32) {
        paste_emoji(canvas, &Emoji::from(emoji), face, roll);
    }

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
        paste(&mut photo, &emoji, &face_at(100.0, 100.0, 100.0), 0.0);
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
        paste(&mut photo, &emoji, &face_at(50.0, 50.0, 100.0), 0.0);
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
        paste(&mut photo, &emoji, &face_at(100.0, 100.0, 100.0), 90.0);
        assert_eq!(photo.get_pixel(150, 100)[0], 0, "the upright bar is gone");
        assert_eq!(photo.get_pixel(100, 150)[0], 255, "the bar lies across");
    }

    #[test]
    fn a_clockwise_roll_turns_the_emoji_clockwise() {
        // A mark in the emoji's top-right corner ends at the bottom right.
        let mut photo = RgbImage::from_pixel(300, 300, Rgb([0, 0, 0]));
        let mut emoji = RgbaImage::from_pixel(64, 64, Rgba([0, 0, 255, 255]));
        for y in 0..16 {
            for x in 48..64 {
                emoji.put_pixel(x, y, Rgba([255, 0, 0, 255]));
            }
        }
        paste(&mut photo, &emoji, &face_at(100.0, 100.0, 100.0), 90.0);
        assert_eq!(photo.get_pixel(200, 200), &Rgb([255, 0, 0]));
        assert_eq!(photo.get_pixel(200, 100), &Rgb([0, 0, 255]));
    }

    #[test]
    fn a_turned_emoji_covers_its_own_area_and_leaves_the_corners() {
        let mut photo = RgbImage::from_pixel(400, 400, Rgb([0, 0, 0]));
        let emoji = RgbaImage::from_pixel(100, 100, Rgba([255, 255, 255, 255]));
        for roll in [0.0, 17.0, -60.0, 45.0] {
            photo.pixels_mut().for_each(|pixel| *pixel = Rgb([0, 0, 0]));
            paste(&mut photo, &emoji, &face_at(150.0, 150.0, 100.0), roll);
            let covered = photo.pixels().filter(|pixel| pixel[0] > 127).count() as f32;
            let side = (100.0 * COVER_SCALE).round();
            assert!(
                (covered / (side * side) - 1.0).abs() < 0.02,
                "{roll}°: {covered} pixels covered"
            );
        }
        // At 45° the corners of the upright square stay black.
        assert_eq!(photo.get_pixel(140, 140), &Rgb([0, 0, 0]));
        assert_eq!(photo.get_pixel(200, 200), &Rgb([255, 255, 255]));
    }

    #[test]
    fn shrinking_an_emoji_does_not_darken_its_see_through_parts() {
        // White pixels every other one, fully transparent black between:
        // shrunk, that is half-transparent white, which over white is white.
        // Averaging the colour without its alpha would give mid grey.
        let emoji = RgbaImage::from_fn(512, 512, |x, y| {
            if (x + y) % 2 == 0 {
                Rgba([255, 255, 255, 255])
            } else {
                Rgba([0, 0, 0, 0])
            }
        });
        let mut photo = RgbImage::from_pixel(200, 200, Rgb([255, 255, 255]));
        for roll in [0.0, 11.0] {
            paste(&mut photo, &emoji, &face_at(50.0, 50.0, 80.0), roll);
            let darkest = photo.pixels().map(|pixel| pixel[0]).min().unwrap();
            assert!(darkest >= 254, "{roll}°: a pixel darkened to {darkest}");
        }
        let mut photo = RgbImage::from_pixel(200, 200, Rgb([0, 0, 0]));
        paste(&mut photo, &emoji, &face_at(50.0, 50.0, 80.0), 0.0);
        let centre = photo.get_pixel(90, 90)[0];
        assert!(
            (126..=129).contains(&centre),
            "half white over black: {centre}"
        );
    }

    #[test]
    fn over_a_transparent_canvas_the_emoji_keeps_its_colour_and_alpha() {
        let mut canvas = RgbaImage::new(100, 100);
        let emoji = RgbaImage::from_pixel(16, 16, Rgba([200, 100, 50, 128]));
        paste(&mut canvas, &emoji, &face_at(20.0, 20.0, 60.0), 0.0);
        assert_eq!(canvas.get_pixel(50, 50), &Rgba([200, 100, 50, 128]));
        assert_eq!(canvas.get_pixel(2, 2), &Rgba([0, 0, 0, 0]));
    }

    #[test]
    fn faces_at_the_edge_are_clipped_not_a_panic() {
        let mut photo = RgbaImage::new(50, 50);
        let emoji = RgbaImage::from_pixel(16, 16, Rgba([9, 9, 9, 255]));
        paste(&mut photo, &emoji, &face_at(-30.0, 40.0, 60.0), 30.0);
        assert_eq!(photo.get_pixel(0, 49)[3], 255);
    }

    #[test]
    fn a_sliver_of_an_emoji_shrunk_onto_a_small_face_is_not_a_panic() {
        let mut photo = RgbImage::from_pixel(50, 50, Rgb([0, 0, 0]));
        let emoji = RgbaImage::from_pixel(512, 2, Rgba([255, 255, 255, 255]));
        paste(&mut photo, &emoji, &face_at(20.0, 20.0, 8.0), 5.0);
        // A line across the face's middle, nothing above it.
        assert!(photo.get_pixel(24, 24)[0] > 0);
        assert_eq!(photo.get_pixel(24, 20), &Rgb([0, 0, 0]));
    }
}
