//! Handlebars templates for pages and emails, built into the binary (so it
//! serves from any directory); a templates directory on disk, when there is
//! one, overrides them file by file. Strict mode: a missing variable is an error, not a
//! blank. HTML templates (`*.html.hbs`) are escaped; text templates
//! (`*.txt.hbs`: email bodies and subjects) are not.

use std::path::Path;

use handlebars::{DirectorySourceOptions, Handlebars};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("templates directory {0} does not exist (set storage.templates_dir, or leave it at ./templates to use the built-in templates)")]
    MissingDir(String),
    #[error("built-in template {0} is not valid: {1}")]
    Embedded(String, Box<handlebars::TemplateError>),
    #[error("cannot load templates from {dir}: {source}")]
    Load {
        dir: String,
        source: Box<handlebars::TemplateError>,
    },
    #[error("template '{0}' is missing")]
    Missing(String),
    #[error("cannot render template '{name}': {source}")]
    Render {
        name: String,
        source: Box<handlebars::RenderError>,
    },
    #[error("email subject from '{0}' is empty or has more than one line")]
    BadSubject(String),
}

pub struct Templates {
    html: Handlebars<'static>,
    text: Handlebars<'static>,
}

/// An email rendered from its three templates.
#[derive(Debug, Clone)]
pub struct RenderedEmail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Every email the app sends; each has `subject`, `body.txt` and `body.html`.
pub const EMAILS: &[&str] = &[
    "confirm_email",
    "acknowledgement",
    "identity_request",
    "clarification_request",
    "extension_notice",
    "fee_request",
    "completion",
    "refusal",
    "duplicate_notice",
    "withdrawal_confirmation",
    "staff_invitation",
    "staff_digest",
    "reply_alert",
    "status_link",
    "documents_rejected",
    "details_not_matched",
    "agent_check",
];
/// Every page the app renders.
pub const PAGES: &[&str] = &[
    "home",
    "request_form",
    "request_step",
    "request_submitted",
    "confirm",
    "confirmed",
    "notice",
    "error",
    "status",
    "status_request",
    "authority",
    "staff/login",
    "staff/setup",
    "staff/queue",
    "staff/case",
    "staff/preview",
    "staff/new_case",
    "staff/users",
    "staff/dashboard",
    "staff/verification",
    "staff/audit",
    "staff/calendars",
];

/// The templates shipped in the repository's `templates/`, built in.
static BUILT_IN: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The directory the built-in templates are overridden from by default;
/// when it does not exist the built-in templates are used as they are.
pub const DEFAULT_DIR: &str = "./templates";

/// Registers every built-in template whose name ends in `extension`, by its
/// path without it (`pages/home`, `emails/completion/body`).
fn register_built_in(
    hb: &mut Handlebars<'static>,
    dir: &include_dir::Dir<'static>,
    extension: &str,
) -> Result<(), TemplateError> {
    for entry in dir.entries() {
        match entry {
            include_dir::DirEntry::Dir(sub) => register_built_in(hb, sub, extension)?,
            include_dir::DirEntry::File(file) => {
                let path = file.path().to_string_lossy();
                let (Some(name), Some(source)) =
                    (path.strip_suffix(extension), file.contents_utf8())
                else {
                    continue;
                };
                hb.register_template_string(name, source)
                    .map_err(|e| TemplateError::Embedded(path.to_string(), Box::new(e)))?;
            }
        }
    }
    Ok(())
}

impl Templates {
    /// The built-in templates, with those in `dir` (if it exists) in place
    /// of theirs. A directory other than [`DEFAULT_DIR`] must exist.
    pub fn load(dir: &Path) -> Result<Templates, TemplateError> {
        let on_disk = dir.is_dir();
        if !on_disk && dir != Path::new(DEFAULT_DIR) {
            return Err(TemplateError::MissingDir(dir.display().to_string()));
        }
        let registry = |extension: &str| -> Result<Handlebars<'static>, TemplateError> {
            let mut hb = Handlebars::new();
            hb.set_strict_mode(true);
            register_built_in(&mut hb, &BUILT_IN, extension)?;
            if on_disk {
                let mut options = DirectorySourceOptions::default();
                options.tpl_extension = extension.to_owned();
                hb.register_templates_directory(dir, options)
                    .map_err(|source| TemplateError::Load {
                        dir: dir.display().to_string(),
                        source: Box::new(source),
                    })?;
            }
            Ok(hb)
        };
        let html = registry(".html.hbs")?;
        let mut text = registry(".txt.hbs")?;
        text.register_escape_fn(handlebars::no_escape);
        let templates = Templates { html, text };
        templates.check_complete()?;
        Ok(templates)
    }

    /// Refuses to start with a template missing, rather than failing on the
    /// first request that needs it.
    fn check_complete(&self) -> Result<(), TemplateError> {
        for page in PAGES {
            let name = format!("pages/{page}");
            if !self.html.has_template(&name) {
                return Err(TemplateError::Missing(name));
            }
        }
        for email in EMAILS {
            for (registry, part) in [
                (&self.text, "subject"),
                (&self.text, "body"),
                (&self.html, "body"),
            ] {
                let name = format!("emails/{email}/{part}");
                if !registry.has_template(&name) {
                    return Err(TemplateError::Missing(name));
                }
            }
        }
        Ok(())
    }

    pub fn page<T: Serialize>(&self, page: &str, data: &T) -> Result<String, TemplateError> {
        render(&self.html, &format!("pages/{page}"), data)
    }

    /// Renders an email's subject, then its text and HTML bodies with the
    /// subject added to `data` (as `subject`).
    pub fn email<T: Serialize>(
        &self,
        email: &str,
        data: &T,
    ) -> Result<RenderedEmail, TemplateError> {
        #[derive(Serialize)]
        struct WithSubject<'a, T: Serialize> {
            subject: &'a str,
            #[serde(flatten)]
            data: &'a T,
        }
        let subject_name = format!("emails/{email}/subject");
        let subject = render(&self.text, &subject_name, data)?.trim().to_owned();
        if subject.is_empty() || subject.contains(['\r', '\n']) {
            return Err(TemplateError::BadSubject(subject_name));
        }
        let data = WithSubject {
            subject: &subject,
            data,
        };
        let body = format!("emails/{email}/body");
        Ok(RenderedEmail {
            text: render(&self.text, &body, &data)?,
            html: render(&self.html, &body, &data)?,
            subject,
        })
    }
}

fn render<T: Serialize>(
    hb: &Handlebars<'_>,
    name: &str,
    data: &T,
) -> Result<String, TemplateError> {
    hb.render(name, data)
        .map_err(|source| TemplateError::Render {
            name: name.to_owned(),
            source: Box::new(source),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_templates_load_and_are_complete() {
        Templates::load(Path::new("templates")).unwrap();
    }

    #[test]
    fn the_built_in_templates_are_complete_without_a_directory() {
        let mut html = Handlebars::new();
        let mut text = Handlebars::new();
        register_built_in(&mut html, &BUILT_IN, ".html.hbs").unwrap();
        register_built_in(&mut text, &BUILT_IN, ".txt.hbs").unwrap();
        Templates { html, text }.check_complete().unwrap();
    }

    #[test]
    fn a_file_on_disk_overrides_its_built_in_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pages")).unwrap();
        std::fs::write(dir.path().join("pages/home.html.hbs"), "Our own home page").unwrap();
        let t = Templates::load(dir.path()).unwrap();
        assert_eq!(
            t.page("home", &serde_json::json!({})).unwrap(),
            "Our own home page"
        );
        // The others are still the built-in ones.
        assert!(t.html.has_template("pages/status"));
    }

    #[test]
    fn a_missing_directory_is_a_clear_error() {
        let err = Templates::load(Path::new("no/such/dir")).err().unwrap();
        assert!(err.to_string().contains("no/such/dir"));
    }

    #[test]
    fn strict_mode_refuses_a_missing_variable() {
        let t = Templates::load(Path::new("templates")).unwrap();
        let err = t
            .email("confirm_email", &serde_json::json!({}))
            .unwrap_err();
        assert!(matches!(err, TemplateError::Render { .. }), "{err}");
    }
}
