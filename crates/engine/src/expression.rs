use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The seven expressions, in the classifier's output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Expression {
    Angry,
    Disgust,
    Fear,
    Happy,
    Sad,
    Surprise,
    Neutral,
}

impl Expression {
    pub const ALL: [Expression; 7] = [
        Expression::Angry,
        Expression::Disgust,
        Expression::Fear,
        Expression::Happy,
        Expression::Sad,
        Expression::Surprise,
        Expression::Neutral,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Expression::Angry => "angry",
            Expression::Disgust => "disgust",
            Expression::Fear => "fear",
            Expression::Happy => "happy",
            Expression::Sad => "sad",
            Expression::Surprise => "surprise",
            Expression::Neutral => "neutral",
        }
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Expression {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Expression::ALL
            .into_iter()
            .find(|expression| expression.as_str() == text)
            .ok_or_else(|| format!("unknown expression {text:?}"))
    }
}

/// Probabilities of the seven expressions; they sum to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ExpressionScores {
    pub angry: f32,
    pub disgust: f32,
    pub fear: f32,
    pub happy: f32,
    pub sad: f32,
    pub surprise: f32,
    pub neutral: f32,
}

impl ExpressionScores {
    /// From the classifier's output, normalised to sum to exactly 1.
    pub fn from_probabilities(values: [f32; 7]) -> ExpressionScores {
        let clean = values.map(|value| {
            if value.is_finite() {
                value.max(0.0)
            } else {
                0.0
            }
        });
        let total: f32 = clean.iter().sum();
        let p = if total > 0.0 {
            clean.map(|value| value / total)
        } else {
            [1.0 / 7.0; 7]
        };
        ExpressionScores {
            angry: p[0],
            disgust: p[1],
            fear: p[2],
            happy: p[3],
            sad: p[4],
            surprise: p[5],
            neutral: p[6],
        }
    }

    pub fn get(&self, expression: Expression) -> f32 {
        match expression {
            Expression::Angry => self.angry,
            Expression::Disgust => self.disgust,
            Expression::Fear => self.fear,
            Expression::Happy => self.happy,
            Expression::Sad => self.sad,
            Expression::Surprise => self.surprise,
            Expression::Neutral => self.neutral,
        }
    }

    /// Expressions from most to least likely.
    pub fn ranked(&self) -> Vec<(Expression, f32)> {
        let mut ranked: Vec<_> = Expression::ALL.iter().map(|e| (*e, self.get(*e))).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked
    }

    pub fn dominant(&self) -> Expression {
        self.ranked()[0].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_normalised_and_ranked() {
        let scores = ExpressionScores::from_probabilities([0.1, 0.0, 0.0, 0.6, 0.1, 0.0, 0.4]);
        let total: f32 = Expression::ALL.iter().map(|e| scores.get(*e)).sum();
        assert!((total - 1.0).abs() < 1e-6);
        assert_eq!(scores.dominant(), Expression::Happy);
        assert_eq!(scores.ranked()[1].0, Expression::Neutral);
    }

    #[test]
    fn broken_outputs_do_not_poison_the_scores() {
        let scores = ExpressionScores::from_probabilities([f32::NAN; 7]);
        assert!((scores.happy - 1.0 / 7.0).abs() < 1e-6);
    }

    #[test]
    fn expressions_round_trip_through_text() {
        for expression in Expression::ALL {
            assert_eq!(
                expression.as_str().parse::<Expression>().unwrap(),
                expression
            );
        }
        assert!("smug".parse::<Expression>().is_err());
    }
}
