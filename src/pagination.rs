//! `?page=N&size=M` for every listing, checked once.

use serde::Serialize;

use crate::error::FieldErrors;

pub const MAX_PAGE_SIZE: u64 = 100;
/// Far past any real listing; keeps `OFFSET` arithmetic small.
const MAX_PAGE: u64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: u64,
    pub size: u64,
}

impl Page {
    pub fn parse(
        page: Option<i64>,
        size: Option<i64>,
        default_size: u64,
    ) -> Result<Page, FieldErrors> {
        let mut errors = FieldErrors::default();
        let number = match page {
            None => 1,
            Some(n) if (1..=MAX_PAGE as i64).contains(&n) => n as u64,
            Some(_) => {
                errors.add("page", format!("must be between 1 and {MAX_PAGE}"));
                1
            }
        };
        let size = match size {
            None => default_size,
            Some(n) if (1..=MAX_PAGE_SIZE as i64).contains(&n) => n as u64,
            Some(_) => {
                errors.add("size", format!("must be between 1 and {MAX_PAGE_SIZE}"));
                default_size
            }
        };
        errors.into_result()?;
        Ok(Page { number, size })
    }

    pub fn offset(&self) -> u64 {
        (self.number - 1) * self.size
    }
}

/// One page of a listing, as every listing endpoint answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PageBody<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub size: u64,
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_default_and_are_bounded() {
        assert_eq!(
            Page::parse(None, None, 20).unwrap(),
            Page {
                number: 1,
                size: 20
            }
        );
        assert_eq!(Page::parse(Some(3), Some(100), 20).unwrap().offset(), 200);
        let errors = Page::parse(Some(0), Some(101), 20).unwrap_err();
        assert!(errors.get("page").is_some() && errors.get("size").is_some());
        assert!(Page::parse(Some(-1), None, 20).is_err());
    }
}
