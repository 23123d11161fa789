//! Draws what the engine found, so a person can check it by eye.

use image::{Rgb, RgbImage};
use imageproc::drawing::{draw_filled_circle_mut, draw_filled_rect_mut, draw_hollow_rect_mut};
use imageproc::rect::Rect;

use super::{Analysis, Point};

const BOX_COLOUR: Rgb<u8> = Rgb([255, 64, 160]);
const KEYPOINT_COLOUR: Rgb<u8> = Rgb([64, 220, 255]);
const LABEL_BACKGROUND: Rgb<u8> = Rgb([0, 0, 0]);
const LABEL_TEXT: Rgb<u8> = Rgb([255, 255, 255]);

/// Boxes, keypoints and "expression score" labels over a copy of `image`.
pub fn annotate(image: &RgbImage, analysis: &Analysis) -> RgbImage {
    let mut canvas = image.clone();
    let thickness = (image.width().max(image.height()) / 400).max(2) as i32;
    for face in &analysis.faces {
        let b = face.bounding_box;
        for inset in 0..thickness {
            let width = (b.width as i32 - 2 * inset).max(1) as u32;
            let height = (b.height as i32 - 2 * inset).max(1) as u32;
            let rect = Rect::at(b.x as i32 + inset, b.y as i32 + inset).of_size(width, height);
            draw_hollow_rect_mut(&mut canvas, rect, BOX_COLOUR);
        }
        let k = face.keypoints;
        for point in [k.right_eye, k.left_eye, k.nose, k.mouth] {
            draw_filled_circle_mut(
                &mut canvas,
                (point.x as i32, point.y as i32),
                thickness + 1,
                KEYPOINT_COLOUR,
            );
        }
        let label = format!(
            "{} {:.2}",
            face.expression,
            face.scores.get(face.expression)
        );
        let scale = ((b.width / 90.0).round() as u32).clamp(1, 8);
        draw_label(&mut canvas, &label, Point { x: b.x, y: b.y }, scale);
    }
    canvas
}

/// Text in the 8×8 bitmap font, on a dark band just above `anchor`.
fn draw_label(canvas: &mut RgbImage, text: &str, anchor: Point, scale: u32) {
    let glyph = 8 * scale as i32;
    let padding = scale as i32 * 2;
    let width = text.chars().count() as i32 * glyph + 2 * padding;
    let height = glyph + 2 * padding;
    let left = anchor.x as i32;
    let top = (anchor.y as i32 - height).max(0);
    draw_filled_rect_mut(
        canvas,
        Rect::at(left, top).of_size(width as u32, height as u32),
        LABEL_BACKGROUND,
    );
    for (index, character) in text.chars().enumerate() {
        let Some(rows) = font8x8::legacy::BASIC_LEGACY.get(character as usize) else {
            continue;
        };
        for (row, bits) in rows.iter().enumerate() {
            for column in 0..8 {
                if bits & (1 << column) == 0 {
                    continue;
                }
                let x = left + padding + index as i32 * glyph + column * scale as i32;
                let y = top + padding + row as i32 * scale as i32;
                draw_filled_rect_mut(canvas, Rect::at(x, y).of_size(scale, scale), LABEL_TEXT);
            }
        }
    }
}
