use std::fmt;

/// A template name: 1–60 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmojiName(String);

impl EmojiName {
    pub fn parse(raw: &str) -> Result<EmojiName, &'static str> {
        // The limit is on what was sent, spaces included, as the API
        // document says; emptiness is judged after trimming.
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be empty");
        }
        if raw.chars().count() > 60 {
            return Err("must be at most 60 characters");
        }
        if trimmed.chars().any(char::is_control) {
            return Err("must not contain control characters");
        }
        Ok(EmojiName(trimmed.to_owned()))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A template description: at most 500 characters; may be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub fn parse(raw: &str) -> Result<Description, &'static str> {
        let text = raw.trim().replace("\r\n", "\n");
        if text.chars().count() > 500 {
            return Err("must be at most 500 characters");
        }
        let allowed = |c: char| !c.is_control() || c == '\n' || c == '\t';
        if !text.chars().all(allowed) {
            return Err("must not contain control characters");
        }
        Ok(Description(text))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Private,
}

impl Visibility {
    pub fn parse(raw: &str) -> Result<Visibility, &'static str> {
        match raw.trim() {
            "public" => Ok(Visibility::Public),
            "private" => Ok(Visibility::Private),
            _ => Err("must be `public` or `private`"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
        }
    }
}

impl fmt::Display for Visibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(EmojiName::parse("  Cats ").unwrap().into_inner(), "Cats");
        assert!(EmojiName::parse("   ").is_err());
        assert!(EmojiName::parse(&"가".repeat(60)).is_ok());
        assert!(EmojiName::parse(&"가".repeat(61)).is_err());
        assert!(EmojiName::parse("a\u{7}b").is_err());
    }

    #[test]
    fn descriptions_may_be_empty_but_not_huge() {
        assert_eq!(Description::parse("").unwrap().into_inner(), "");
        assert_eq!(Description::parse("a\r\nb").unwrap().into_inner(), "a\nb");
        assert!(Description::parse(&"x".repeat(501)).is_err());
    }

    #[test]
    fn visibility_is_one_of_two_words() {
        assert_eq!(Visibility::parse("private"), Ok(Visibility::Private));
        assert!(Visibility::parse("secret").is_err());
        assert!(Visibility::parse("").is_err());
    }
}
