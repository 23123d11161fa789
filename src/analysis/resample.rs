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
    let (width, height) = (image.width() / factor, image.height() / factor);
    let source = image.as_raw();
    let stride = image.width() as usize * 3;
    let mut out = vec![0u8; width as usize * height as usize * 3];
    let mut row_sums = vec![0u32; width as usize * 3];
    let area = factor * factor;
    for out_y in 0..height as usize {
        row_sums.iter_mut().for_each(|sum| *sum = 0);
        for dy in 0..factor as usize {
            let row = &source[(out_y * factor as usize + dy) * stride..];
            for out_x in 0..width as usize {
                let start = out_x * factor as usize * 3;
                for dx in 0..factor as usize {
                    let pixel = start + dx * 3;
                    row_sums[out_x * 3] += u32::from(row[pixel]);
                    row_sums[out_x * 3 + 1] += u32::from(row[pixel + 1]);
                    row_sums[out_x * 3 + 2] += u32::from(row[pixel + 2]);
                }
            }
        }
        let out_row = &mut out[out_y * width as usize * 3..(out_y + 1) * width as usize * 3];
        for (value, sum) in out_row.iter_mut().zip(&row_sums) {
            *value = ((sum + area / 2) / area) as u8;
        }
    }
    RgbImage::from_raw(width, height, out).expect("buffer sized for the image")
}

/// Resamples `region` of `image` to `size`×`size` RGB, area-averaged, as
/// NHWC floats in [-1, 1] (BlazeFace's input).
pub fn square_to_tensor(image: &RgbImage, region: Square, size: usize) -> Vec<f32> {
    let scale = region.side / size as f32;
    // Each output pixel averages the source pixels it covers (at least one).
    let spans: Vec<(i64, i64)> = (0..size)
        .map(|i| {
            let start = (i as f32 * scale).floor() as i64;
            let end = (((i + 1) as f32 * scale).ceil() as i64).max(start + 1);
            (start, end)
        })
        .collect();
    let (width, height) = (i64::from(image.width()), i64::from(image.height()));
    let (left, top) = (region.left.round() as i64, region.top.round() as i64);
    let raw = image.as_raw();
    let mut tensor = vec![-1.0f32; size * size * 3];
    for (out_y, &(y0, y1)) in spans.iter().enumerate() {
        let (y0, y1) = (y0 + top, y1 + top);
        for (out_x, &(x0, x1)) in spans.iter().enumerate() {
            let (x0, x1) = (x0 + left, x1 + left);
            let mut sum = [0u32; 3];
            let mut count = 0u32;
            let total = ((y1 - y0) * (x1 - x0)) as u32;
            for y in y0.max(0)..y1.min(height) {
                let row = (y * width) as usize * 3;
                for x in x0.max(0)..x1.min(width) {
                    let pixel = row + x as usize * 3;
                    sum[0] += u32::from(raw[pixel]);
                    sum[1] += u32::from(raw[pixel + 1]);
                    sum[2] += u32::from(raw[pixel + 2]);
                    count += 1;
                }
            }
            if count == 0 {
                continue;
            }
            // Pixels outside the image are black: they count in the average.
            let base = (out_y * size + out_x) * 3;
            for channel in 0..3 {
                let mean = sum[channel] as f32 / total as f32;
                tensor[base + channel] = mean * (2.0 / 255.0) - 1.0;
            }
        }
    }
    tensor
}

/// Bilinear sample of one channel-averaged luma value at (x, y), with
/// pixels outside the image clamped to the edge.
pub fn sample_luma(image: &RgbImage, x: f32, y: f32) -> f32 {
    let max_x = image.width() as f32 - 1.0;
    let max_y = image.height() as f32 - 1.0;
    let x = x.clamp(0.0, max_x);
    let y = y.clamp(0.0, max_y);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (x0, y0) = (x0 as u32, y0 as u32);
    let x1 = (x0 + 1).min(max_x as u32);
    let y1 = (y0 + 1).min(max_y as u32);
    let luma = |px: u32, py: u32| {
        let [r, g, b] = image.get_pixel(px, py).0;
        0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b)
    };
    let top = luma(x0, y0) * (1.0 - fx) + luma(x1, y0) * fx;
    let bottom = luma(x0, y1) * (1.0 - fx) + luma(x1, y1) * fx;
    top * (1.0 - fy) + bottom * fy
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
