//! The whole `analyze` (decode included) on one core, and throughput with
//! one and two workers. Run: `cargo bench --bench analysis`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use igemoji::analysis::{AnalysisLimits, Analyzer, DetectionOptions, ExpressionModel};
use igemoji::bundle::{self, Files};
use image::DynamicImage;
use image::imageops::FilterType;

// The binary's allocator, so photo-sized blocks ask for huge pages as they
// do in service. (glibc's mmap threshold is left at its default here, as in
// earlier runs of this benchmark; the binary sets 4 MiB.)
#[global_allocator]
static ALLOCATOR: igemoji::memory::HugePagesForPhotos = igemoji::memory::HugePagesForPhotos;

fn fixture(name: &str) -> DynamicImage {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/photos")
        .join(name);
    image::open(path).expect("fixture photo")
}

/// A JPEG of the fixture scaled to `width`×`height`, written as phone
/// cameras write them: quality 90, chroma at half resolution (4:2:0).
fn jpeg_of(photo: &DynamicImage, width: u32, height: u32) -> Vec<u8> {
    let scaled = photo
        .resize_exact(width, height, FilterType::Triangle)
        .into_rgb8();
    libjpeg_turbo_rs::compress(
        scaled.as_raw(),
        width as usize,
        height as usize,
        libjpeg_turbo_rs::PixelFormat::Rgb,
        90,
        libjpeg_turbo_rs::Subsampling::S420,
    )
    .expect("encode")
}

fn analyzer() -> Analyzer {
    Analyzer::load(
        &Files::Bundled(bundle::MODELS),
        AnalysisLimits::default(),
        DetectionOptions::default(),
        ExpressionModel::default(),
    )
    .expect("models")
}

fn photos() -> Vec<(&'static str, Vec<u8>)> {
    let astronaut = fixture("skimage_astronaut.png");
    let group = fixture("faceapi_sample5.jpg");
    vec![
        ("1mp_one_face", jpeg_of(&astronaut, 1024, 1024)),
        ("1mp_group_5_faces", jpeg_of(&group, 1155, 866)),
        ("12mp_one_face", jpeg_of(&astronaut, 3464, 3464)),
        ("12mp_group_5_faces", jpeg_of(&group, 4000, 3000)),
    ]
}

fn single_photo(c: &mut Criterion) {
    let analyzer = analyzer();
    let mut group = c.benchmark_group("analyze");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    for (name, bytes) in photos() {
        let faces = analyzer.analyze(&bytes).unwrap().faces.len();
        eprintln!("{name}: {} bytes, {faces} face(s)", bytes.len());
        group.bench_function(name, |b| b.iter(|| analyzer.analyze(&bytes).unwrap()));
    }
    group.finish();
}

/// A photo with no face against one face, both 512×512 (0.26 MP): the
/// astronaut, and the flag and wall to her right stretched to the same size.
/// Target: no face costs at most 1.5× one face.
fn no_face_against_one_face(c: &mut Criterion) {
    let analyzer = analyzer();
    let astronaut = fixture("skimage_astronaut.png");
    let flag = astronaut.crop_imm(0, 0, 170, 400);
    let photos = [
        ("one_face_0.26mp", jpeg_of(&astronaut, 512, 512)),
        ("no_face_0.26mp", jpeg_of(&flag, 512, 512)),
    ];
    let mut group = c.benchmark_group("no_face");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(5));
    for (name, bytes) in &photos {
        let faces = analyzer.analyze(bytes).unwrap().faces.len();
        eprintln!("{name}: {faces} face(s)");
        group.bench_function(*name, |b| b.iter(|| analyzer.analyze(bytes).unwrap()));
    }
    group.finish();
}

/// The classifier's time per face (crop, model and its mirror pass), from
/// the engine's own stage timing of the 1 MP group photo; target <= 6 ms.
fn classify_per_face(c: &mut Criterion) {
    let analyzer = analyzer();
    let photos = photos();
    let (_, group_photo) = &photos[1];
    let mut group = c.benchmark_group("classify");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("per_face_1mp_group", |b| {
        b.iter_custom(|iterations| {
            (0..iterations)
                .map(|_| {
                    let analysis = analyzer.analyze(group_photo).unwrap();
                    analysis.timings.classify / analysis.faces.len().max(1) as u32
                })
                .sum()
        })
    });
    group.finish();
}

/// Photos per second with `workers` threads sharing one analyser.
fn throughput(c: &mut Criterion) {
    let analyzer = analyzer();
    let photos = photos();
    let (_, photo) = &photos[1];
    let mut group = c.benchmark_group("throughput");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    const BATCH: u64 = 16;
    group.throughput(Throughput::Elements(BATCH));
    for workers in [1u64, 2] {
        group.bench_function(format!("{workers}_workers_16_photos"), |b| {
            b.iter_custom(|iterations| {
                let started = Instant::now();
                for _ in 0..iterations {
                    std::thread::scope(|scope| {
                        for _ in 0..workers {
                            scope.spawn(|| {
                                for _ in 0..BATCH / workers {
                                    analyzer.analyze(photo).unwrap();
                                }
                            });
                        }
                    });
                }
                started.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    single_photo,
    no_face_against_one_face,
    classify_per_face,
    throughput
);
criterion_main!(benches);
