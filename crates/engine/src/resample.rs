//! Fast area-averaging resampling into model input tensors.

use image::RgbImage;

/// A square region of the source image, in source pixels; it may extend
/// past the edges, where the image counts as black (letterboxing).
#[derive(Debug, Clone, Copy)]
pub struct Square {
    pub left: f32,
    pub top: f32,
    pub side: f32,
}

/// Averages `factor`×`factor` blocks, for a cheap first reduction of a big
/// photo before finer resampling.
pub fn shrink_by_blocks(image: &RgbImage, factor: u32) -> RgbImage {
    if factor <= 1 {
        return image.clone();
    }
    let factor_usize = factor as usize;
    let (width, height) = (image.width() / factor, image.height() / factor);
    let out_stride = width as usize * 3;
    let source = image.as_raw();
    let stride = image.width() as usize * 3;
    let mut shrunk = RgbImage::new(width, height);
    let out: &mut [u8] = &mut shrunk;
    // Sums of `factor` source rows, over the columns the blocks cover.
    let mut column_sums = vec![0u32; out_stride * factor_usize];
    let area = factor * factor;
    for (out_y, out_row) in out.chunks_exact_mut(out_stride).enumerate() {
        column_sums.fill(0);
        for dy in 0..factor_usize {
            let start = (out_y * factor_usize + dy) * stride;
            add_row(&mut column_sums, source, start);
        }
        for (out_pixel, block) in out_row
            .chunks_exact_mut(3)
            .zip(column_sums.chunks_exact(3 * factor_usize))
        {
            let sum = sum_pixels(block);
            for (value, channel_sum) in out_pixel.iter_mut().zip(sum) {
                *value = ((channel_sum + area / 2) / area) as u8;
            }
        }
    }
    shrunk
}

/// Resamples `region` of `image` to `size`×`size` RGB, area-averaged, as
/// NHWC floats in [-1, 1] (BlazeFace's input).
pub fn square_to_tensor(image: &RgbImage, region: Square, size: usize) -> Vec<f32> {
    let scale = region.side / size as f32;
    let (width, height) = (i64::from(image.width()), i64::from(image.height()));
    let (left, top) = (region.left.round() as i64, region.top.round() as i64);
    // Each output pixel averages the source pixels it covers (at least one),
    // as half-open spans of source rows or columns.
    let spans = |offset: i64| -> Vec<(i64, i64)> {
        (0..size)
            .map(|i| {
                let start = (i as f32 * scale).floor() as i64;
                let end = (((i + 1) as f32 * scale).ceil() as i64).max(start + 1);
                (start + offset, end + offset)
            })
            .collect()
    };
    let (rows, columns) = (spans(top), spans(left));
    // Only the columns some output pixel reads are summed.
    let first_column = columns[0].0.clamp(0, width) as usize;
    let end_column = columns[size - 1].1.clamp(0, width) as usize;
    let stride = image.width() as usize * 3;
    let raw = image.as_raw();
    let mut tensor = vec![-1.0f32; size * size * 3];
    let mut column_sums = vec![0u32; (end_column - first_column) * 3];
    for (out_row, &(y0, y1)) in tensor.chunks_exact_mut(size * 3).zip(&rows) {
        let (inside_y0, inside_y1) = (y0.max(0), y1.min(height));
        if inside_y0 >= inside_y1 || column_sums.is_empty() {
            continue;
        }
        column_sums.fill(0);
        for y in inside_y0..inside_y1 {
            let start = y as usize * stride + first_column * 3;
            add_row(&mut column_sums, raw, start);
        }
        for (out_pixel, &(x0, x1)) in out_row.chunks_exact_mut(3).zip(&columns) {
            let (inside_x0, inside_x1) = (x0.max(0), x1.min(width));
            if inside_x0 >= inside_x1 {
                continue;
            }
            let from = (inside_x0 as usize - first_column) * 3;
            let to = (inside_x1 as usize - first_column) * 3;
            let sum = sum_pixels(&column_sums[from..to]);
            // Pixels outside the image are black: they count in the average.
            let total = ((y1 - y0) * (x1 - x0)) as f32;
            for (value, channel_sum) in out_pixel.iter_mut().zip(sum) {
                *value = channel_sum as f32 / total * (2.0 / 255.0) - 1.0;
            }
        }
    }
    tensor
}

/// `sums[i] += source[start + i]`, written so the compiler vectorises it.
fn add_row(sums: &mut [u32], source: &[u8], start: usize) {
    let row = &source[start..start + sums.len()];
    for (sum, &value) in sums.iter_mut().zip(row) {
        *sum += u32::from(value);
    }
}

/// Per-channel totals of interleaved RGB sums.
fn sum_pixels(pixels: &[u32]) -> [u32; 3] {
    pixels.chunks_exact(3).fold([0; 3], |[r, g, b], pixel| {
        [r + pixel[0], g + pixel[1], b + pixel[2]]
    })
}

/// A rectangle of an image as `C` float channels per pixel, each the mean of
/// a `block`×`block` square of pixels, for fast repeated sampling.
pub struct Patch<const C: usize> {
    values: Vec<[f32; C]>,
    width: usize,
    height: usize,
    /// Image coordinates of the patch's top-left corner.
    left: f32,
    top: f32,
    block: f32,
}

/// Gray (BT.601 luma) values.
pub type LumaPatch = Patch<1>;
/// Red, green and blue values.
pub type RgbPatch = Patch<3>;

impl LumaPatch {
    /// The patch covering `from`..`to` (image coordinates, clipped to the
    /// image; a region wholly outside gives the nearest edge pixel).
    pub fn of(image: &RgbImage, from: (f32, f32), to: (f32, f32), block: u32) -> LumaPatch {
        Patch::build(image, from, to, block, |pixel| {
            [0.299 * f32::from(pixel[0])
                + 0.587 * f32::from(pixel[1])
                + 0.114 * f32::from(pixel[2])]
        })
    }
}

impl RgbPatch {
    /// As [`LumaPatch::of`], keeping the colours.
    pub fn of(image: &RgbImage, from: (f32, f32), to: (f32, f32), block: u32) -> RgbPatch {
        Patch::build(image, from, to, block, |pixel| {
            [
                f32::from(pixel[0]),
                f32::from(pixel[1]),
                f32::from(pixel[2]),
            ]
        })
    }
}

impl<const C: usize> Patch<C> {
    fn build(
        image: &RgbImage,
        from: (f32, f32),
        to: (f32, f32),
        block: u32,
        channels: impl Fn(&[u8]) -> [f32; C],
    ) -> Patch<C> {
        let clip = |value: f32, length: u32| (value.max(0.0) as u32).min(length - 1);
        let (left, top) = (clip(from.0, image.width()), clip(from.1, image.height()));
        let right = (clip(to.0.ceil(), image.width()) + 1).max(left + 1);
        let bottom = (clip(to.1.ceil(), image.height()) + 1).max(top + 1);
        let block_size = block.max(1) as usize;
        let width = (right - left) as usize / block_size;
        let height = (bottom - top) as usize / block_size;
        // Too small for one whole block: average what there is.
        let (width, height, block_size) = if width == 0 || height == 0 {
            (1, 1, ((right - left).min(bottom - top)) as usize)
        } else {
            (width, height, block_size)
        };
        let raw = image.as_raw();
        let stride = image.width() as usize * 3;
        let mut values = vec![[0.0f32; C]; width * height];
        let mut row_sums = vec![[0.0f32; C]; width * block_size];
        let area = (block_size * block_size) as f32;
        for (patch_row, out) in values.chunks_exact_mut(width).enumerate() {
            row_sums.fill([0.0; C]);
            for dy in 0..block_size {
                let y = top as usize + patch_row * block_size + dy;
                let start = y * stride + left as usize * 3;
                let pixels = &raw[start..start + row_sums.len() * 3];
                for (sum, pixel) in row_sums.iter_mut().zip(pixels.chunks_exact(3)) {
                    for (total, value) in sum.iter_mut().zip(channels(pixel)) {
                        *total += value;
                    }
                }
            }
            for (value, sums) in out.iter_mut().zip(row_sums.chunks_exact(block_size)) {
                for (channel, mean) in value.iter_mut().enumerate() {
                    *mean = sums.iter().map(|sum| sum[channel]).sum::<f32>() / area;
                }
            }
        }
        Patch {
            values,
            width,
            height,
            left: left as f32,
            top: top as f32,
            block: block_size as f32,
        }
    }

    /// Bilinear sample at image coordinates (x, y) (pixel centres at .5),
    /// clamped to the patch's edges.
    #[inline]
    pub fn sample(&self, x: f32, y: f32) -> [f32; C] {
        let max_x = (self.width - 1) as f32;
        let max_y = (self.height - 1) as f32;
        let x = ((x - self.left) / self.block - 0.5).clamp(0.0, max_x);
        let y = ((y - self.top) / self.block - 0.5).clamp(0.0, max_y);
        let (x0, y0) = (x as usize, y as usize);
        let (fx, fy) = (x - x0 as f32, y - y0 as f32);
        let x1 = (x0 + 1).min(self.width - 1);
        let y1 = (y0 + 1).min(self.height - 1);
        let at = |px: usize, py: usize| &self.values[py * self.width + px];
        let (a, b, c, d) = (at(x0, y0), at(x1, y0), at(x0, y1), at(x1, y1));
        std::array::from_fn(|channel| {
            let upper = a[channel] + (b[channel] - a[channel]) * fx;
            let lower = c[channel] + (d[channel] - c[channel]) * fx;
            upper + (lower - upper) * fy
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_shrinking_averages() {
        let image = RgbImage::from_fn(4, 2, |x, _| {
            if x % 2 == 0 {
                [0, 0, 0].into()
            } else {
                [200, 100, 50].into()
            }
        });
        let small = shrink_by_blocks(&image, 2);
        assert_eq!(small.dimensions(), (2, 1));
        assert_eq!(small.get_pixel(0, 0).0, [100, 50, 25]);
    }

    #[test]
    fn luma_patches_average_blocks_and_interpolate() {
        // Columns alternate black and white: 2×2 blocks average to mid-gray.
        let image = RgbImage::from_fn(8, 8, |x, _| {
            if x % 2 == 0 {
                [0, 0, 0].into()
            } else {
                [255, 255, 255].into()
            }
        });
        let blocks = LumaPatch::of(&image, (0.0, 0.0), (8.0, 8.0), 2);
        assert!((blocks.sample(4.0, 4.0)[0] - 127.5).abs() < 1e-3);
        let pixels = LumaPatch::of(&image, (0.0, 0.0), (8.0, 8.0), 1);
        // Halfway between the centres of a black and a white pixel.
        assert!((pixels.sample(1.0, 3.5)[0] - 127.5).abs() < 1e-3);
        assert!(pixels.sample(0.5, 0.5)[0].abs() < 1e-3);
        // Outside the image: the nearest edge pixel.
        assert!((pixels.sample(100.0, -5.0)[0] - 255.0).abs() < 1e-3);
        let outside = LumaPatch::of(&image, (50.0, 50.0), (60.0, 60.0), 4);
        assert!((outside.sample(55.0, 55.0)[0] - 255.0).abs() < 1e-3);
    }

    #[test]
    fn letterbox_outside_the_image_is_black() {
        let image = RgbImage::from_pixel(4, 2, [255, 255, 255].into());
        let tensor = square_to_tensor(
            &image,
            Square {
                left: 0.0,
                top: -1.0,
                side: 4.0,
            },
            4,
        );
        // Row 0 is above the image: black (-1); row 1 is inside: white (+1).
        assert_eq!(tensor[0], -1.0);
        assert!((tensor[4 * 3] - 1.0).abs() < 1e-6);
    }
}
