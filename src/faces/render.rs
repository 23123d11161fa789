//! One task's CPU work: decode the upload, analyse it, paste the emojis,
//! encode the result and its thumbnail.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use image::buffer::ConvertBuffer;
use image::{DynamicImage, RgbImage, RgbaImage};

use crate::analysis::{
    Analysis, AnalysisError, AnalysisLimits, Analyzer, BoundingBox, Canvas, Emoji, EncodeError,
    Expression, decode_photo, encode_jpeg, encode_png, paste_emoji, photo_thumbnail, thumbnail,
};

const THUMBNAIL_SIDE: u32 = 320;

/// The pictures a task shows: the photo with its emojis, and a thumbnail.
pub struct RenderedImages {
    pub result: Vec<u8>,
    pub thumbnail: Vec<u8>,
    /// `jpg`, or `png` when the upload had transparency.
    pub extension: &'static str,
}

pub struct Rendered {
    pub analysis: Analysis,
    pub images: RenderedImages,
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

/// Where an emoji goes: a face, turned by its roll, covered by the emoji of
/// `expression`, or left bare when that is `None`.
pub struct Cover {
    pub bounding_box: BoundingBox,
    pub roll_degrees: f32,
    pub expression: Option<Expression>,
}

/// The upright photo, with its alpha channel only when some pixel is
/// see-through: only such a photo comes back as PNG.
struct Photo {
    rgb: RgbImage,
    transparent: Option<RgbaImage>,
}

/// `templates` holds the PNG of each expression of the chosen template.
pub fn render(
    analyzer: &Analyzer,
    upload: &[u8],
    templates: &HashMap<Expression, Bytes>,
) -> Result<Rendered, RenderError> {
    let started = Instant::now();
    let photo = decode(upload, &analyzer.limits())?;
    let decode_time = started.elapsed();
    let analysis = analyzer.analyze_image(&photo.rgb)?;

    let started = Instant::now();
    let covers: Vec<Cover> = analysis
        .faces
        .iter()
        .map(|face| Cover {
            bounding_box: face.bounding_box,
            roll_degrees: face.roll_degrees,
            expression: Some(face.expression),
        })
        .collect();
    let images = paint(photo, &covers, templates)?;
    Ok(Rendered {
        analysis: Analysis {
            timings: crate::analysis::StageTimings {
                decode: decode_time,
                ..analysis.timings
            },
            ..analysis
        },
        images,
        decode_time,
        compose_time: started.elapsed(),
    })
}

/// Paints `covers` on the upload again, without looking for faces: a
/// person's corrections of a finished task.
pub fn repaint(
    limits: &AnalysisLimits,
    upload: &[u8],
    covers: &[Cover],
    templates: &HashMap<Expression, Bytes>,
) -> Result<RenderedImages, RenderError> {
    paint(decode(upload, limits)?, covers, templates)
}

fn decode(upload: &[u8], limits: &AnalysisLimits) -> Result<Photo, RenderError> {
    let photo = decode_photo(upload, limits)?;
    Ok(if photo.has_alpha {
        let rgba = photo.image.into_rgba8();
        let rgb: RgbImage = rgba.convert();
        let transparent = rgba.pixels().any(|pixel| pixel[3] < u8::MAX);
        Photo {
            rgb,
            transparent: transparent.then_some(rgba),
        }
    } else {
        Photo {
            rgb: photo.image.into_rgb8(),
            transparent: None,
        }
    })
}

fn paint(
    photo: Photo,
    covers: &[Cover],
    templates: &HashMap<Expression, Bytes>,
) -> Result<RenderedImages, RenderError> {
    let mut emojis: HashMap<Expression, Emoji> = HashMap::new();
    for expression in covers.iter().filter_map(|cover| cover.expression) {
        if let std::collections::hash_map::Entry::Vacant(slot) = emojis.entry(expression) {
            slot.insert(Emoji::from(&decode_template(templates, expression)?));
        }
    }
    Ok(match photo.transparent {
        Some(mut canvas) => {
            drop(photo.rgb);
            paste_all(&mut canvas, covers, &emojis);
            let thumbnail = thumbnail(&canvas, THUMBNAIL_SIDE);
            RenderedImages {
                result: encode_png(&canvas)?,
                thumbnail: encode_png(&thumbnail)?,
                extension: "png",
            }
        }
        None => {
            let mut canvas = photo.rgb;
            paste_all(&mut canvas, covers, &emojis);
            let thumbnail = photo_thumbnail(&canvas, THUMBNAIL_SIDE);
            RenderedImages {
                result: encode_jpeg(&canvas)?,
                thumbnail: encode_jpeg(&thumbnail)?,
                extension: "jpg",
            }
        }
    })
}

fn paste_all(canvas: &mut impl Canvas, covers: &[Cover], emojis: &HashMap<Expression, Emoji>) {
    for cover in covers {
        if let Some(emoji) = cover
            .expression
            .and_then(|expression| emojis.get(&expression))
        {
            paste_emoji(canvas, emoji, &cover.bounding_box, cover.roll_degrees);
        }
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
