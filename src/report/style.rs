//! The one palette of the human formats, and the one way to colour text.
//!
//! Styles are `anstyle` values; a [`Painter`] writes them as one SGR
//! sequence each (`ESC[1;33m`, not anstyle's `ESC[1mESC[33m`), the bytes
//! these reports have always printed, and writes nothing when colour is off.
//! Whether to colour is the CLI's decision (terminal, `--color`,
//! `NO_COLOR`); [`stream`] hands the finished text to an `anstream` stream
//! that strips what a non-colour run must not print (annotate-snippets'
//! own styles included).

use std::fmt::Write as _;

use anstyle::{AnsiColor, Color, Effects, Style};

/// Resource names and table headers.
pub const EMPHASIS: Style = Style::new().bold();
/// The word `error` of a diagnostic.
pub const ERROR: Style = Style::new()
    .bold()
    .fg_color(Some(Color::Ansi(AnsiColor::Red)));
/// The word `warning` of a diagnostic, and a row that starts a rollout.
pub const WARNING: Style = Style::new()
    .bold()
    .fg_color(Some(Color::Ansi(AnsiColor::Yellow)));
/// The word `note` of a diagnostic.
pub const NOTE: Style = Style::new()
    .bold()
    .fg_color(Some(Color::Ansi(AnsiColor::Cyan)));
/// A failure inside a line (`no hash`).
pub const FAILURE: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Red)));
/// A warning inside a table (a finding under its row).
pub const CAUTION: Style = Style::new().fg_color(Some(Color::Ansi(AnsiColor::Yellow)));
/// What matters less (a row that starts no rollout).
pub const DIM: Style = Style::new().dimmed();

const RESET: &str = "\x1b[0m";

/// Colours text when colour is on; leaves it plain when it is off.
#[derive(Clone, Copy, Debug)]
pub struct Painter {
    color: bool,
}

impl Painter {
    pub fn new(color: bool) -> Painter {
        Painter { color }
    }

    /// `text` in `style`, followed by a reset.
    pub fn paint(self, style: Style, text: &str) -> String {
        format!("{}{text}{}", self.start(style), self.reset())
    }

    /// The sequence that switches `style` on (empty without colour).
    pub fn start(self, style: Style) -> String {
        if self.color {
            sgr(style)
        } else {
            String::new()
        }
    }

    /// The sequence that switches every style off (empty without colour).
    pub fn reset(self) -> &'static str {
        if self.color { RESET } else { "" }
    }
}

/// One SGR sequence for a style's effects and ANSI colours.
fn sgr(style: Style) -> String {
    const EFFECTS: [(Effects, u8); 4] = [
        (Effects::BOLD, 1),
        (Effects::DIMMED, 2),
        (Effects::ITALIC, 3),
        (Effects::UNDERLINE, 4),
    ];
    let mut codes: Vec<u8> = EFFECTS
        .iter()
        .filter(|(effect, _)| style.get_effects().contains(*effect))
        .map(|&(_, code)| code)
        .collect();
    if let Some(Color::Ansi(color)) = style.get_fg_color() {
        codes.push(ansi_fg(color));
    }
    if codes.is_empty() {
        return String::new();
    }
    let mut out = String::from("\x1b[");
    for (i, code) in codes.iter().enumerate() {
        let _ = write!(out, "{}{code}", if i == 0 { "" } else { ";" });
    }
    out.push('m');
    out
}

fn ansi_fg(color: AnsiColor) -> u8 {
    match color {
        AnsiColor::Black => 30,
        AnsiColor::Red => 31,
        AnsiColor::Green => 32,
        AnsiColor::Yellow => 33,
        AnsiColor::Blue => 34,
        AnsiColor::Magenta => 35,
        AnsiColor::Cyan => 36,
        AnsiColor::White => 37,
        AnsiColor::BrightBlack => 90,
        AnsiColor::BrightRed => 91,
        AnsiColor::BrightGreen => 92,
        AnsiColor::BrightYellow => 93,
        AnsiColor::BrightBlue => 94,
        AnsiColor::BrightMagenta => 95,
        AnsiColor::BrightCyan => 96,
        AnsiColor::BrightWhite => 97,
    }
}

/// A stream for a human report: passes colour through when `color`, strips
/// every escape otherwise.
pub fn stream<W: anstream::stream::RawStream>(raw: W, color: bool) -> anstream::AutoStream<W> {
    let choice = if color {
        anstream::ColorChoice::Always
    } else {
        anstream::ColorChoice::Never
    };
    anstream::AutoStream::new(raw, choice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_sequence_per_style_as_the_reports_always_printed() {
        let painter = Painter::new(true);
        assert_eq!(painter.paint(WARNING, "w"), "\x1b[1;33mw\x1b[0m");
        assert_eq!(painter.paint(ERROR, "e"), "\x1b[1;31me\x1b[0m");
        assert_eq!(painter.paint(NOTE, "n"), "\x1b[1;36mn\x1b[0m");
        assert_eq!(painter.paint(EMPHASIS, "b"), "\x1b[1mb\x1b[0m");
        assert_eq!(painter.paint(FAILURE, "f"), "\x1b[31mf\x1b[0m");
        assert_eq!(painter.paint(CAUTION, "c"), "\x1b[33mc\x1b[0m");
        assert_eq!(painter.paint(DIM, "d"), "\x1b[2md\x1b[0m");
    }

    #[test]
    fn no_colour_is_plain_text() {
        let painter = Painter::new(false);
        assert_eq!(painter.paint(WARNING, "w"), "w");
        assert_eq!(painter.start(DIM), "");
        assert_eq!(painter.reset(), "");
    }
}
