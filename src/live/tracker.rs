//! Following faces from frame to frame, so each keeps its emoji: a face is
//! the track whose last box it overlaps most, and its expression scores are
//! an exponential moving average, so the emoji does not flicker between two
//! close labels.

use crate::analysis::{BoundingBox, Expression, ExpressionScores, Face};

/// How much a new frame's scores count against the track's history.
const SMOOTHING: f32 = 0.4;
/// The least overlap (intersection over union) that continues a track.
const SAME_FACE_OVERLAP: f32 = 0.3;
/// Frames a track survives without its face, so a blink of the detector does
/// not restart it.
const MISSES_KEPT: u32 = 3;

pub struct Tracker {
    tracks: Vec<Track>,
    next_id: u64,
}

struct Track {
    id: u64,
    bounding_box: BoundingBox,
    scores: [f32; 7],
    misses: u32,
}

/// A face of the latest frame with its track and smoothed expression.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedFace {
    pub track: u64,
    pub scores: ExpressionScores,
    pub expression: Expression,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker {
            tracks: Vec::new(),
            next_id: 1,
        }
    }
}

impl Tracker {
    /// Matches `faces` to tracks (best overlaps first, each track at most
    /// once), starts tracks for the rest, and returns one entry per face, in
    /// the order of `faces`.
    pub fn update(&mut self, faces: &[Face]) -> Vec<TrackedFace> {
        let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
        for (face_index, face) in faces.iter().enumerate() {
            for (track_index, track) in self.tracks.iter().enumerate() {
                let overlap = face
                    .bounding_box
                    .intersection_over_union(&track.bounding_box);
                if overlap >= SAME_FACE_OVERLAP {
                    pairs.push((overlap, face_index, track_index));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut track_of_face: Vec<Option<usize>> = vec![None; faces.len()];
        let mut taken = vec![false; self.tracks.len()];
        for (_, face_index, track_index) in pairs {
            if track_of_face[face_index].is_none() && !taken[track_index] {
                track_of_face[face_index] = Some(track_index);
                taken[track_index] = true;
            }
        }

        let mut seen = vec![false; self.tracks.len()];
        let mut result = Vec::with_capacity(faces.len());
        for (face, matched) in faces.iter().zip(track_of_face) {
            let new_scores = probabilities(&face.scores);
            let track_index = match matched {
                Some(index) => {
                    let track = &mut self.tracks[index];
                    for (kept, new) in track.scores.iter_mut().zip(new_scores) {
                        *kept = (1.0 - SMOOTHING) * *kept + SMOOTHING * new;
                    }
                    track.bounding_box = face.bounding_box;
                    track.misses = 0;
                    index
                }
                None => {
                    self.tracks.push(Track {
                        id: self.next_id,
                        bounding_box: face.bounding_box,
                        scores: new_scores,
                        misses: 0,
                    });
                    seen.push(false);
                    self.next_id += 1;
                    self.tracks.len() - 1
                }
            };
            seen[track_index] = true;
            let track = &self.tracks[track_index];
            let scores = ExpressionScores::from_probabilities(track.scores);
            result.push(TrackedFace {
                track: track.id,
                scores,
                expression: scores.dominant(),
            });
        }
        for (track, seen) in self.tracks.iter_mut().zip(&seen) {
            if !seen {
                track.misses += 1;
            }
        }
        self.tracks.retain(|track| track.misses <= MISSES_KEPT);
        result
    }
}

fn probabilities(scores: &ExpressionScores) -> [f32; 7] {
    Expression::ALL.map(|expression| scores.get(expression))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Keypoints, Point};

    fn face_at(x: f32, expression: Expression) -> Face {
        let mut probabilities = [0.02; 7];
        let index = Expression::ALL
            .iter()
            .position(|e| *e == expression)
            .unwrap();
        probabilities[index] = 0.88;
        let point = Point { x, y: 50.0 };
        Face {
            bounding_box: BoundingBox {
                x,
                y: 20.0,
                width: 60.0,
                height: 60.0,
            },
            score: 0.9,
            keypoints: Keypoints {
                right_eye: point,
                left_eye: point,
                nose: point,
                mouth: point,
                right_ear: point,
                left_ear: point,
            },
            roll_degrees: 0.0,
            expression,
            scores: ExpressionScores::from_probabilities(probabilities),
        }
    }

    #[test]
    fn two_faces_keep_their_tracks_when_they_move_and_swap_order() {
        let mut tracker = Tracker::default();
        let first = tracker.update(&[
            face_at(10.0, Expression::Happy),
            face_at(200.0, Expression::Sad),
        ]);
        let (left, right) = (first[0].track, first[1].track);
        assert_ne!(left, right);
        // Listed the other way round and moved a little.
        let next = tracker.update(&[
            face_at(205.0, Expression::Sad),
            face_at(14.0, Expression::Happy),
        ]);
        assert_eq!(next[0].track, right);
        assert_eq!(next[1].track, left);
    }

    #[test]
    fn one_frame_of_another_expression_does_not_flip_the_label() {
        let mut tracker = Tracker::default();
        for _ in 0..5 {
            tracker.update(&[face_at(10.0, Expression::Happy)]);
        }
        let flicker = tracker.update(&[face_at(10.0, Expression::Surprise)]);
        assert_eq!(flicker[0].expression, Expression::Happy);
        let mut settled = flicker;
        for _ in 0..3 {
            settled = tracker.update(&[face_at(10.0, Expression::Surprise)]);
        }
        assert_eq!(settled[0].expression, Expression::Surprise);
    }

    #[test]
    fn a_face_missing_for_a_frame_keeps_its_track_but_not_for_long() {
        let mut tracker = Tracker::default();
        let track = tracker.update(&[face_at(10.0, Expression::Neutral)])[0].track;
        tracker.update(&[]);
        assert_eq!(
            tracker.update(&[face_at(12.0, Expression::Neutral)])[0].track,
            track
        );
        for _ in 0..=MISSES_KEPT {
            tracker.update(&[]);
        }
        assert_ne!(
            tracker.update(&[face_at(12.0, Expression::Neutral)])[0].track,
            track
        );
    }
}
