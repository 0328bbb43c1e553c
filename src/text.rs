//! Text from a file reaches a terminal only through [`escape`]: a database or an import is
//! untrusted, and a class or image name could carry escape sequences that repaint the
//! screen, or bidirectional overrides that make the text read differently from what it is.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal raw: C0 and C1 controls (U+0000-U+001F, U+007F,
/// U+0080-U+009F; C1 holds CSI U+009B, which some terminals take as ESC [), and the
/// bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Makes a name from a file safe to print: every character of `unsafe_char` is shown as a
/// visible escape (`\n`, `\u{1b}`, `\u{202e}`), never sent raw. Borrowed when nothing needs
/// escaping.
pub fn escape(name: &str) -> Cow<'_, str> {
    if !name.chars().any(unsafe_char) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escapes a path (a file name can hold anything) for a message.
pub fn escape_path(path: &std::path::Path) -> String {
    escape(&path.to_string_lossy()).into_owned()
}

/// serde_json's compact formatter, except that the characters of [`unsafe_char`] that
/// serde_json writes raw (DEL, C1, bidi controls; it already escapes C0) are written as
/// `\uXXXX`: the JSON value is the same, its bytes are safe on a terminal.
struct TerminalSafe;

impl serde_json::ser::Formatter for TerminalSafe {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if unsafe_char(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // Every such character is in the Basic Multilingual Plane: four hex digits.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Writes `value` as compact JSON through the terminal-safe formatter, then a newline.
pub fn write_json<W: std::io::Write + ?Sized>(
    out: &mut W,
    value: &impl serde::Serialize,
) -> Result<(), serde_json::Error> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, TerminalSafe);
    value.serialize(&mut ser)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}

#[cfg(test)]
mod tests {
    use super::{escape, write_json};

    #[test]
    fn json_escapes_c1_and_bidi_but_keeps_the_value() {
        let name = "a\u{1b}[2J\u{9b}31m\u{202e}\u{2066}\u{7f}é猫\"";
        let mut out = Vec::new();
        write_json(&mut out, &[name]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "[\"a\\u001b[2J\\u009b31m\\u202e\\u2066\\u007fé猫\\\"\"]\n"
        );
        let back: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, [name]);
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(
            escape("chien é 猫"),
            std::borrow::Cow::Borrowed("chien é 猫")
        ));
    }

    #[test]
    fn c0_controls_are_escaped() {
        assert_eq!(escape("\u{1b}[2Jcat\n"), "\\u{1b}[2Jcat\\n");
        assert_eq!(escape("a\tb\u{7f}"), "a\\tb\\u{7f}");
    }

    #[test]
    fn c1_controls_are_escaped() {
        // U+009B is CSI: "\u{9b}2J" clears the screen on terminals that honour C1.
        assert_eq!(escape("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(escape("x\u{80}y\u{9f}"), "x\\u{80}y\\u{9f}");
        assert_eq!(
            escape("\u{a0}"),
            "\u{a0}",
            "U+00A0 is a space, not a control"
        );
    }

    #[test]
    fn bidi_overrides_and_isolates_are_escaped() {
        assert_eq!(escape("cat\u{202e}god"), "cat\\u{202e}god");
        for c in ('\u{202a}'..='\u{202e}').chain('\u{2066}'..='\u{2069}') {
            let s = c.to_string();
            assert_eq!(escape(&s), c.escape_default().to_string(), "{c:?}");
        }
        assert_eq!(
            escape("\u{2029}\u{206a}"),
            "\u{2029}\u{206a}",
            "neighbours pass"
        );
    }
}
