//! HTML escaping for the pages and documents the sandbox writes (the API docs page, lease
//! contracts): the text of customers and merchants never becomes markup.

use std::fmt;

/// `text` escaped for HTML text and double-quoted attribute values, written straight into
/// the formatter (no intermediate strings: contracts are built on every new lease).
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                _ => "&quot;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// `text` escaped, as a string.
pub fn escape(text: &str) -> String {
    Escaped(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_replaced_and_the_rest_kept() {
        assert_eq!(
            escape(r#"<a href="x">Tom & Jerry</a> ünï"#),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt; ünï"
        );
        assert_eq!(escape("&amp;"), "&amp;amp;");
        assert_eq!(escape(""), "");
    }
}
