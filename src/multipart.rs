//! Reading `multipart/form-data` uploads into memory with a limit on every
//! part, so no request can make the server buffer more than it allows.

use std::collections::HashMap;

use actix_multipart::{Multipart, MultipartError};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;

#[derive(Debug, Clone, Copy)]
pub struct FormLimits {
    pub max_file_bytes: usize,
    pub max_text_bytes: usize,
    pub max_parts: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum FormError {
    #[error("expected a multipart/form-data body")]
    NotMultipart,
    #[error("the multipart body is malformed: {0}")]
    Malformed(String),
    #[error("{field} is larger than {limit} bytes")]
    FileTooLarge { field: String, limit: usize },
    #[error("{field} is longer than {limit} bytes")]
    TextTooLong { field: String, limit: usize },
    #[error("the form has more than {limit} parts")]
    TooManyParts { limit: usize },
    #[error("{0} is given more than once")]
    Duplicate(String),
    #[error("{0} must be UTF-8 text")]
    NotText(String),
    #[error("{0} is not a field of this form")]
    Unknown(String),
}

impl FormError {
    /// The form field the error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            FormError::FileTooLarge { field, .. }
            | FormError::TextTooLong { field, .. }
            | FormError::Duplicate(field)
            | FormError::NotText(field)
            | FormError::Unknown(field) => Some(field),
            _ => None,
        }
    }
}

/// The part names a form takes: file parts and text parts. Any other name is
/// refused, so a typo is an error rather than a silently ignored field.
#[derive(Debug, Clone, Copy)]
pub struct FormFields<'a> {
    pub files: &'a [&'a str],
    pub texts: &'a [&'a str],
}

/// The parts of a form: `files` are the parts whose names the caller listed
/// as files, `texts` the rest.
#[derive(Debug, Default)]
pub struct ReceivedForm {
    pub texts: HashMap<String, String>,
    pub files: HashMap<String, Bytes>,
}

impl ReceivedForm {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts.get(name).map(String::as_str)
    }

    pub fn take_file(&mut self, name: &str) -> Option<Bytes> {
        self.files.remove(name).filter(|bytes| !bytes.is_empty())
    }
}

/// How much of a refused upload is still read (and thrown away), so the
/// client gets to read our error instead of a reset connection.
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

pub async fn read_form(
    mut multipart: Multipart,
    fields: FormFields<'_>,
    limits: FormLimits,
) -> Result<ReceivedForm, FormError> {
    match read_parts(&mut multipart, fields, limits).await {
        Ok(form) => Ok(form),
        Err(error) => {
            if !matches!(error, FormError::NotMultipart | FormError::Malformed(_)) {
                drain(&mut multipart).await;
            }
            Err(error)
        }
    }
}

async fn read_parts(
    multipart: &mut Multipart,
    fields: FormFields<'_>,
    limits: FormLimits,
) -> Result<ReceivedForm, FormError> {
    let mut form = ReceivedForm::default();
    let mut parts = 0;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(multipart_error)?;
        parts += 1;
        if parts > limits.max_parts {
            return Err(FormError::TooManyParts {
                limit: limits.max_parts,
            });
        }
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = fields.files.contains(&name.as_str());
        if !is_file && !fields.texts.contains(&name.as_str()) {
            return Err(FormError::Unknown(name));
        }
        let limit = if is_file {
            limits.max_file_bytes
        } else {
            limits.max_text_bytes
        };
        let mut buffer = BytesMut::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(multipart_error)?;
            if buffer.len() + chunk.len() > limit {
                return Err(if is_file {
                    FormError::FileTooLarge { field: name, limit }
                } else {
                    FormError::TextTooLong { field: name, limit }
                });
            }
            buffer.extend_from_slice(&chunk);
        }
        if form.texts.contains_key(&name) || form.files.contains_key(&name) {
            return Err(FormError::Duplicate(name));
        }
        if is_file {
            form.files.insert(name, buffer.freeze());
        } else {
            let text =
                String::from_utf8(buffer.to_vec()).map_err(|_| FormError::NotText(name.clone()))?;
            form.texts.insert(name, text);
        }
    }
    Ok(form)
}

async fn drain(multipart: &mut Multipart) {
    let mut drained = 0usize;
    while let Some(Ok(mut field)) = multipart.next().await {
        while let Some(Ok(chunk)) = field.next().await {
            drained += chunk.len();
            if drained > DRAIN_LIMIT {
                return;
            }
        }
    }
}

fn multipart_error(error: MultipartError) -> FormError {
    match error {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => FormError::NotMultipart,
        other => FormError::Malformed(other.to_string()),
    }
}
