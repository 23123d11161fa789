//! Sign-up fields, parsed once at the edge.

use std::fmt;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 30;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;
pub const NICKNAME_MAX: usize = 40;

/// 3–30 characters of `[a-z0-9_.-]`, stored lower-cased so that comparison is
/// case-insensitive everywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, String> {
        let lowered = raw.to_ascii_lowercase();
        let length = lowered.chars().count();
        if !(USERNAME_MIN..=USERNAME_MAX).contains(&length) {
            return Err(format!(
                "must be {USERNAME_MIN} to {USERNAME_MAX} characters long"
            ));
        }
        if !lowered
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
        {
            return Err("may contain only letters a-z, digits, '_', '.' and '-'".into());
        }
        Ok(Username(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// 8–128 characters. Never printed.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: String) -> Result<Password, String> {
        let length = raw.chars().count();
        if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&length) {
            return Err(format!(
                "must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long"
            ));
        }
        Ok(Password(raw))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// 1–40 characters after trimming, without control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nickname(String);

impl Nickname {
    pub fn parse(raw: &str) -> Result<Nickname, String> {
        // The limit is on what was sent, spaces included, as the API
        // document says; emptiness is judged after trimming.
        let trimmed = raw.trim();
        if trimmed.is_empty() || raw.chars().count() > NICKNAME_MAX {
            return Err(format!("must be 1 to {NICKNAME_MAX} characters long"));
        }
        if trimmed.chars().any(char::is_control) {
            return Err("may not contain control characters".into());
        }
        Ok(Nickname(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_cased() {
        assert_eq!(Username::parse("Alice_01").unwrap().as_str(), "alice_01");
    }

    #[test]
    fn usernames_have_bounded_length() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("abc").is_ok());
        assert!(Username::parse(&"a".repeat(30)).is_ok());
        assert!(Username::parse(&"a".repeat(31)).is_err());
    }

    #[test]
    fn usernames_refuse_other_characters() {
        for bad in ["al ice", "alice!", "ali/ce", "알리스", "alice\n", "ﬀﬀﬀ"] {
            assert!(Username::parse(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(Username::parse("a.b-c_d").is_ok());
    }

    #[test]
    fn passwords_count_characters_not_bytes() {
        assert!(Password::parse("short".into()).is_err());
        assert!(Password::parse("비밀번호비밀번호".into()).is_ok());
        assert!(Password::parse("x".repeat(129)).is_err());
        assert!(Password::parse("x".repeat(128)).is_ok());
    }

    #[test]
    fn passwords_never_print() {
        let password = Password::parse("hunter2hunter2".into()).unwrap();
        assert!(!format!("{password:?}").contains("hunter2"));
    }

    #[test]
    fn nicknames_are_trimmed_and_bounded() {
        assert_eq!(Nickname::parse("  Kim  ").unwrap().as_str(), "Kim");
        assert!(Nickname::parse("   ").is_err());
        assert!(Nickname::parse(&"가".repeat(40)).is_ok());
        assert!(Nickname::parse(&"가".repeat(41)).is_err());
        assert!(Nickname::parse("a\u{0007}b").is_err());
    }
}
