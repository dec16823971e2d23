//! View types several pages share.

use std::borrow::Cow;

use serde::Serialize;

/// One option of a list or group of choices.
#[derive(Debug, Serialize)]
pub struct Opt<'a> {
    pub value: &'a str,
    pub label: Cow<'a, str>,
    pub selected: bool,
}

impl<'a> Opt<'a> {
    /// The options `items` (value, label), `selected` chosen.
    pub fn list(
        items: impl IntoIterator<Item = (&'a str, &'a str)>,
        selected: &str,
    ) -> Vec<Opt<'a>> {
        items
            .into_iter()
            .map(|(value, label)| Opt {
                value,
                label: Cow::Borrowed(label),
                selected: value == selected,
            })
            .collect()
    }
}

/// A count of something (cases in a state, with a right...), with its key
/// for links and its label.
#[derive(Debug, Serialize)]
pub struct Count<'a> {
    pub key: &'a str,
    pub label: &'a str,
    pub count: i64,
}
