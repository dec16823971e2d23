//! Reading a multipart form with caps: text fields up to a small size,
//! files up to a size each, a number of files and a total. The first limit
//! passed ends the reading, so no request holds more than the caps.

use std::collections::HashMap;

use actix_multipart::Multipart;
use futures_util::StreamExt;

/// A text field holds at most this much.
const MAX_FIELD: usize = 16 * 1024;

#[derive(Debug, Clone, Copy)]
pub struct Caps {
    pub file: usize,
    pub files: u32,
    pub request: usize,
}

/// What a form held: its text fields and its files (name, bytes), in order.
#[derive(Debug, Default)]
pub struct Parts {
    pub fields: HashMap<String, String>,
    pub files: Vec<(String, Vec<u8>)>,
}

impl Parts {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TooMuch {
    #[error("A file is larger than the limit of {0} MB")]
    File(usize),
    #[error("Send at most {0} files at once")]
    Files(u32),
    #[error("What you sent is larger than the limit of {0} MB in all")]
    Request(usize),
    #[error("The upload was interrupted or is not a form: try again")]
    Broken,
}

/// Reads the whole form within `caps`. Fields named `file_field` with a
/// file name are files; everything else is text.
pub async fn read(mut form: Multipart, caps: Caps, file_field: &str) -> Result<Parts, TooMuch> {
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
        let is_file = name == file_field && file_name.is_some();
        let cap = if is_file {
            if parts.files.len() as u32 >= caps.files {
                return Err(TooMuch::Files(caps.files));
            }
            caps.file
        } else {
            MAX_FIELD
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
                return Err(if is_file {
                    TooMuch::File(caps.file / 1_048_576)
                } else {
                    TooMuch::Request(caps.request / 1_048_576)
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        match (is_file, file_name) {
            (true, Some(file_name)) => parts.files.push((file_name, bytes)),
            // An empty file input sends a part with no file name: skip it.
            _ if name == file_field => {}
            _ => {
                let text = String::from_utf8(bytes).map_err(|_| TooMuch::Broken)?;
                parts.fields.insert(name, text);
            }
        }
    }
    Ok(parts)
}
