//! One task's CPU work: decode the upload, analyse it, paste the emojis,
//! encode the result and its thumbnail.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use image::buffer::ConvertBuffer;
use image::{DynamicImage, RgbImage, RgbaImage};

use super::compose::{
    Canvas, Emoji, EncodeError, encode_jpeg, encode_png, paste_emoji, photo_thumbnail, thumbnail,
};
use crate::analysis::{Analysis, AnalysisError, Analyzer, Expression, decode_photo};

const THUMBNAIL_SIDE: u32 = 320;

pub struct Rendered {
    pub analysis: Analysis,
    pub result: Vec<u8>,
    pub thumbnail: Vec<u8>,
    /// `jpg`, or `png` when the upload had transparency.
    pub extension: &'static str,
    pub decode_time: Duration,
    pub compose_time: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error("the template image for {expression} is unreadable: {message}")]
    Template {
        expression: Expression,
        message: String,
    },
    #[error("the result could not be encoded: {0}")]
    Encode(#[from] EncodeError),
}

/// `templates` holds the PNG of each expression of the chosen template.
pub fn render(
    analyzer: &Analyzer,
    upload: &[u8],
    templates: &HashMap<Expression, Bytes>,
) -> Result<Rendered, RenderError> {
    let started = Instant::now();
    let photo = decode_photo(upload, &analyzer.limits())?;
    // Only a photo with some see-through pixel comes back as PNG; an opaque
    // one in a format that could carry alpha is a JPEG like any other.
    let (rgb, rgba) = if photo.has_alpha {
        let rgba = photo.image.into_rgba8();
        let rgb: RgbImage = rgba.convert();
        let transparent = rgba.pixels().any(|pixel| pixel[3] < u8::MAX);
        (rgb, transparent.then_some(rgba))
    } else {
        (photo.image.into_rgb8(), None)
    };
    let decode_time = started.elapsed();

    let analysis = analyzer.analyze_image(&rgb)?;

    let started = Instant::now();
    let mut emojis: HashMap<Expression, Emoji> = HashMap::new();
    for face in &analysis.faces {
        if let std::collections::hash_map::Entry::Vacant(slot) = emojis.entry(face.expression) {
            slot.insert(Emoji::from(&decode_template(templates, face.expression)?));
        }
    }
    let (result, thumbnail, extension) = match rgba {
        Some(mut canvas) => {
            drop(rgb);
            paste_all(&mut canvas, &analysis, &emojis);
            let thumbnail = thumbnail(&canvas, THUMBNAIL_SIDE);
            (encode_png(&canvas)?, encode_png(&thumbnail)?, "png")
        }
        None => {
            let mut canvas = rgb;
            paste_all(&mut canvas, &analysis, &emojis);
            let thumbnail = photo_thumbnail(&canvas, THUMBNAIL_SIDE);
            (encode_jpeg(&canvas)?, encode_jpeg(&thumbnail)?, "jpg")
        }
    };
    Ok(Rendered {
        analysis: Analysis {
            timings: crate::analysis::StageTimings {
                decode: decode_time,
                ..analysis.timings
            },
            ..analysis
        },
        result,
        thumbnail,
        extension,
        decode_time,
        compose_time: started.elapsed(),
    })
}

fn paste_all(canvas: &mut impl Canvas, analysis: &Analysis, emojis: &HashMap<Expression, Emoji>) {
    for face in &analysis.faces {
        paste_emoji(
            canvas,
            &emojis[&face.expression],
            &face.bounding_box,
            face.roll_degrees,
        );
    }
}

fn decode_template(
    templates: &HashMap<Expression, Bytes>,
    expression: Expression,
) -> Result<RgbaImage, RenderError> {
    let bytes = templates.get(&expression).ok_or(RenderError::Template {
        expression,
        message: "missing".into(),
    })?;
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
        .map(DynamicImage::into_rgba8)
        .map_err(|error| RenderError::Template {
            expression,
            message: error.to_string(),
        })
}
