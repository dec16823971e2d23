//! Reading a multipart form with caps: text fields up to a size, files up
//! to a size each, a number of files and a total. The first limit passed
//! ends the reading, so no request holds more than the caps.

use std::collections::HashMap;

use actix_multipart::Multipart;
use futures_util::StreamExt;

#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub file: usize,
    pub files: u32,
    pub request: usize,
    /// A text field holds at most this much.
    pub field: usize,
}

/// A file as it arrived: the form field it came in, its name, its bytes.
#[derive(Debug)]
pub struct FilePart {
    pub field: String,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What a form held: its text fields (as sent) and its files, in order.
#[derive(Debug, Default)]
pub struct Parts {
    pub fields: HashMap<String, Vec<u8>>,
    pub files: Vec<FilePart>,
}

impl Parts {
    /// Every text field as text; `Broken` when one is not UTF-8.
    pub fn texts(&self) -> Result<HashMap<&str, &str>, TooMuch> {
        self.fields
            .iter()
            .map(|(k, v)| {
                Ok((
                    k.as_str(),
                    std::str::from_utf8(v).map_err(|_| TooMuch::Broken)?,
                ))
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TooMuch {
    #[error("A file is larger than the limit of {mb} MB")]
    File { field: String, mb: usize },
    #[error("Send at most {0} files at once")]
    Files(u32),
    #[error("What you sent is larger than the limit of {0} MB in all")]
    Request(usize),
    #[error("The upload was interrupted or is not a form: try again")]
    Broken,
}

/// Reads the whole form within `caps`. Parts of a field `is_file` names,
/// sent with a file name, are files; everything else is text (a file input
/// left empty sends a part with no file name: it is skipped).
pub async fn read(
    mut form: Multipart,
    caps: Caps,
    is_file: impl Fn(&str) -> bool,
) -> Result<Parts, TooMuch> {
    let mut parts = Parts::default();
    let mut total = 0usize;
    while let Some(field) = form.next().await {
        let Ok(mut field) = field else {
            return Err(TooMuch::Broken);
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .filter(|f| !f.is_empty())
            .map(str::to_owned);
        let file_field = is_file(&name);
        let is_a_file = file_field && file_name.is_some();
        let cap = if is_a_file {
            if parts.files.len() as u32 >= caps.files {
                return Err(TooMuch::Files(caps.files));
            }
            caps.file
        } else {
            caps.field
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let Ok(chunk) = chunk else {
                return Err(TooMuch::Broken);
            };
            total += chunk.len();
            if total > caps.request {
                return Err(TooMuch::Request(caps.request / 1_048_576));
            }
            if bytes.len() + chunk.len() > cap {
                return Err(if is_a_file {
                    TooMuch::File {
                        field: name,
                        mb: caps.file / 1_048_576,
                    }
                } else {
                    TooMuch::Request(caps.request / 1_048_576)
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        match file_name {
            Some(file_name) if is_a_file => parts.files.push(FilePart {
                field: name,
                name: file_name,
                bytes,
            }),
            _ if file_field => {}
            _ => {
                parts.fields.insert(name, bytes);
            }
        }
    }
    Ok(parts)
}
