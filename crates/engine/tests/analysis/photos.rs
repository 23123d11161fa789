//! Real photographs with hand-checked faces and expressions
//! (tests/fixtures/photos/expectations.json, described in its README).

use igemoji_engine::{Analysis, BoundingBox, Expression};
use serde_json::Value;

use crate::helpers::{analyzer, fixture, repo_path};

struct ExpectedFace {
    bounding_box: BoundingBox,
    primary: Option<Expression>,
    accepted: Vec<Expression>,
    clear: bool,
    required: bool,
}

fn expectations(photo: &str) -> (u32, u32, Vec<ExpectedFace>) {
    let text =
        std::fs::read_to_string(repo_path("tests/fixtures/photos/expectations.json")).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let entry = &all["photos"][photo];
    let size = &entry["size"];
    let faces = entry["faces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|face| {
            let b: Vec<f32> = face["box"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap() as f32)
                .collect();
            let expression = &face["expression"];
            ExpectedFace {
                bounding_box: BoundingBox {
                    x: b[0],
                    y: b[1],
                    width: b[2],
                    height: b[3],
                },
                primary: expression["primary"].as_str().map(|e| e.parse().unwrap()),
                accepted: expression["accepted"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e.as_str().unwrap().parse().unwrap())
                    .collect(),
                clear: expression["clear"].as_bool().unwrap_or(false),
                required: face["required"].as_bool().unwrap_or(true),
            }
        })
        .collect();
    (
        size[0].as_u64().unwrap() as u32,
        size[1].as_u64().unwrap() as u32,
        faces,
    )
}

fn analyze(photo: &str) -> Analysis {
    analyzer().analyze(&fixture(photo)).unwrap()
}

/// Every required face is found with a box close to the hand-checked one,
/// nothing is found where there is no face, and each judged face's
/// expression is the expected one (clear faces) or among the accepted
/// labels and the top two (faces documented as ambiguous).
fn check_photo(photo: &str) {
    let (width, height, expected) = expectations(photo);
    let analysis = analyze(photo);
    assert_eq!(
        (analysis.width, analysis.height),
        (width, height),
        "{photo}: upright size"
    );

    for face in &analysis.faces {
        let matches_someone = expected
            .iter()
            .any(|e| e.bounding_box.intersection_over_union(&face.bounding_box) >= 0.3);
        assert!(
            matches_someone,
            "{photo}: a face was found where there is none: {:?}",
            face.bounding_box
        );
    }
    for (index, want) in expected.iter().enumerate() {
        let found = analysis
            .faces
            .iter()
            .max_by(|a, b| {
                want.bounding_box
                    .intersection_over_union(&a.bounding_box)
                    .total_cmp(&want.bounding_box.intersection_over_union(&b.bounding_box))
            })
            .filter(|face| {
                want.bounding_box
                    .intersection_over_union(&face.bounding_box)
                    >= 0.5
            });
        let Some(face) = found else {
            assert!(
                !want.required,
                "{photo}: face {index} at {:?} was not found",
                want.bounding_box
            );
            continue;
        };
        let ranked = face.scores.ranked();
        let Some(primary) = want.primary else {
            continue;
        };
        if want.clear {
            assert_eq!(
                face.expression, primary,
                "{photo}: face {index}: {ranked:?}"
            );
        } else {
            let top_two = [ranked[0].0, ranked[1].0];
            assert!(
                want.accepted.contains(&face.expression) || top_two.contains(&primary),
                "{photo}: face {index}: expected {primary} (or {:?}), got {ranked:?}",
                want.accepted
            );
        }
    }
}

#[test]
fn a_smiling_astronaut_is_happy() {
    check_photo("skimage_astronaut.png");
    let analysis = analyze("skimage_astronaut.png");
    assert_eq!(analysis.faces.len(), 1);
    let face = &analysis.faces[0];
    assert_eq!(face.expression, Expression::Happy);
    assert!(face.score > 0.8);
    assert!(face.roll_degrees.abs() < 15.0, "{}", face.roll_degrees);
}

#[test]
fn grace_hopper_is_neutral() {
    check_photo("matplotlib_grace_hopper.jpg");
}

#[test]
fn group_photos_find_every_face() {
    for photo in [
        "faceapi_sample1.jpg",
        "faceapi_sample2.jpg",
        "faceapi_sample3.jpg",
        "faceapi_sample4.jpg",
        "faceapi_sample5.jpg",
        "faceapi_sample6.jpg",
    ] {
        check_photo(photo);
    }
}

/// Faces of 20–40 px in an 800 px street photo. The hand boxes of its
/// half-hidden background faces are rough, so this checks recall only.
#[test]
fn small_distant_faces_in_a_street_are_found() {
    let (_, _, expected) = expectations("deface_city.jpg");
    let analysis = analyze("deface_city.jpg");
    let required: Vec<_> = expected.iter().filter(|face| face.required).collect();
    let found = required
        .iter()
        .filter(|want| {
            analysis.faces.iter().any(|face| {
                want.bounding_box
                    .intersection_over_union(&face.bounding_box)
                    >= 0.3
            })
        })
        .count();
    eprintln!(
        "street photo: {found} of {} required faces found",
        required.len()
    );
    assert!(
        found >= 7,
        "only {found} of {} required faces found",
        required.len()
    );
}

#[test]
fn expression_scores_sum_to_one() {
    for face in analyze("faceapi_sample5.jpg").faces {
        let total: f32 = Expression::ALL.iter().map(|e| face.scores.get(*e)).sum();
        assert!((total - 1.0).abs() < 1e-4, "{total}");
    }
}

#[test]
fn exif_orientation_is_applied_before_analysis() {
    let upright = analyze("faceapi_sample3.jpg");
    let rotated = analyze("faceapi_sample3_rot90_exif6.jpg");
    assert_eq!(
        (rotated.width, rotated.height),
        (upright.width, upright.height)
    );
    assert_eq!(rotated.faces.len(), upright.faces.len());
    for face in &upright.faces {
        let best = rotated
            .faces
            .iter()
            .map(|other| {
                face.bounding_box
                    .intersection_over_union(&other.bounding_box)
            })
            .fold(0.0, f32::max);
        assert!(best > 0.8, "{:?}: best IoU {best}", face.bounding_box);
    }
    check_photo("faceapi_sample3_rot90_exif6.jpg");
}

#[test]
fn a_photo_without_faces_gives_an_empty_list() {
    let blank = image::RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut png = Vec::new();
    blank
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let analysis = analyzer().analyze(&png).unwrap();
    assert!(analysis.faces.is_empty());
}

#[test]
fn a_tilted_head_reports_its_roll_and_keeps_its_expression() {
    let photo = image::load_from_memory(&fixture("skimage_astronaut.png"))
        .unwrap()
        .into_rgb8();
    let upright_roll = analyzer().analyze_image(&photo).unwrap().faces[0].roll_degrees;
    let mut rolls = Vec::new();
    for degrees in [30.0f32, -30.0] {
        let turned = imageproc::geometric_transformations::rotate_about_center(
            &photo,
            degrees.to_radians(),
            imageproc::geometric_transformations::Interpolation::Bilinear,
            image::Rgb([0, 0, 0]),
        );
        let analysis = analyzer().analyze_image(&turned).unwrap();
        assert_eq!(analysis.faces.len(), 1, "turned {degrees}°");
        assert_eq!(
            analysis.faces[0].expression,
            Expression::Happy,
            "turned {degrees}°"
        );
        rolls.push(analysis.faces[0].roll_degrees - upright_roll);
    }
    // Turning the photo turns the eye line by about as much, each way.
    assert!((rolls[0].abs() - 30.0).abs() < 10.0, "{rolls:?}");
    assert!((rolls[1].abs() - 30.0).abs() < 10.0, "{rolls:?}");
    assert!(rolls[0].signum() != rolls[1].signum(), "{rolls:?}");
}

/// A selfie with someone farther back: finding the close face must not end
/// the search before the smaller one is found.
#[test]
fn a_smaller_face_beside_a_close_one_is_found_too() {
    let mut photo = image::load_from_memory(&fixture("skimage_astronaut.png"))
        .unwrap()
        .into_rgb8();
    let behind = image::load_from_memory(&fixture("matplotlib_grace_hopper.jpg"))
        .unwrap()
        .into_rgb8();
    // Grace Hopper's 208-px face shrunk to 56 px (a ninth of the photo) in
    // the top-right corner; the astronaut's face is 105 px.
    let scale = 56.0 / 208.0;
    let (width, height) = (
        (behind.width() as f32 * scale).round() as u32,
        (behind.height() as f32 * scale).round() as u32,
    );
    let behind = image::imageops::resize(
        &behind,
        width,
        height,
        image::imageops::FilterType::Triangle,
    );
    let left = photo.width() - width;
    image::imageops::replace(&mut photo, &behind, i64::from(left), 0);
    let expected = [
        BoundingBox {
            x: 174.0,
            y: 70.0,
            width: 105.0,
            height: 105.0,
        },
        BoundingBox {
            x: left as f32 + 158.0 * scale,
            y: 119.0 * scale,
            width: 56.0,
            height: 56.0,
        },
    ];

    let analysis = analyzer().analyze_image(&photo).unwrap();
    assert_eq!(analysis.faces.len(), 2, "{:?}", analysis.faces);
    for want in expected {
        let best = analysis
            .faces
            .iter()
            .map(|face| want.intersection_over_union(&face.bounding_box))
            .fold(0.0, f32::max);
        assert!(best >= 0.5, "{want:?}: best IoU {best}");
    }
}
