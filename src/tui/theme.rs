//! Colours: a qualitative palette for classes, viridis for matrices, and the fallbacks for
//! 256-colour terminals (a ramp of their own) and NO_COLOR.

use ratatui::style::{Color, Modifier, Style};

/// What the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColourMode {
    TrueColour,
    /// xterm's 256 colours: RGB is mapped to the nearest of the 6x6x6 cube or grey ramp.
    Indexed,
    /// NO_COLOR is set: no colours at all; matrices use shading characters.
    None,
}

impl ColourMode {
    /// From the environment: NO_COLOR (any value) disables colour; COLORTERM says truecolor.
    pub fn detect() -> ColourMode {
        if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return ColourMode::None;
        }
        match std::env::var("COLORTERM") {
            Ok(v) if v.contains("truecolor") || v.contains("24bit") => ColourMode::TrueColour,
            // tmux and most modern terminals pass true colour even without COLORTERM over SSH;
            // TERM ending in -direct or tmux's own say so too.
            _ => match std::env::var("TERM") {
                Ok(t) if t.contains("direct") || t.contains("kitty") || t.contains("truecolor") => {
                    ColourMode::TrueColour
                }
                _ => ColourMode::Indexed,
            },
        }
    }
}

/// Tableau's 20 categorical colours (the first ten are matplotlib's tab10).
/// The class colours on 256-colour terminals, picked from the xterm cube rather than taken
/// as the nearest entry to each of [`CLASS_COLOURS`]: the nearest entries of the first
/// blue and the cyan (classes 0 and 9) are two close teals, hard to tell apart on a map.
const CLASS_256: [u8; 20] = [
    33, 208, 34, 160, 135, 130, 212, 245, 142, 51, 153, 215, 120, 210, 183, 180, 225, 250, 186, 159,
];

const CLASS_COLOURS: [(u8, u8, u8); 20] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
    (174, 199, 232),
    (255, 187, 120),
    (152, 223, 138),
    (255, 152, 150),
    (197, 176, 213),
    (196, 156, 148),
    (247, 182, 210),
    (199, 199, 199),
    (219, 219, 141),
    (158, 218, 229),
];

/// Viridis sampled at 9 points (0, 1/8, ..., 1); values in between are interpolated.
const VIRIDIS: [(f32, f32, f32); 9] = [
    (68.0, 1.0, 84.0),
    (71.0, 44.0, 122.0),
    (59.0, 81.0, 139.0),
    (44.0, 113.0, 142.0),
    (33.0, 144.0, 141.0),
    (39.0, 173.0, 129.0),
    (92.0, 200.0, 99.0),
    (170.0, 220.0, 50.0),
    (253.0, 231.0, 37.0),
];

/// Viridis in xterm's 256 colours: 13 palette entries whose luminance rises strictly, from
/// purple through blue, teal and green to yellow. Mapping viridis to the nearest palette
/// colour instead leaves about four (0.1 to 0.3 all one grey), and tmux and ssh, which drop
/// COLORTERM, show exactly that mode.
pub const RAMP_256: [u8; 13] = [53, 54, 55, 61, 31, 37, 42, 78, 114, 150, 186, 221, 227];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub mode: ColourMode,
}

impl Theme {
    pub fn new(mode: ColourMode) -> Theme {
        Theme { mode }
    }

    pub fn rgb(&self, r: u8, g: u8, b: u8) -> Color {
        match self.mode {
            ColourMode::TrueColour => Color::Rgb(r, g, b),
            ColourMode::Indexed => Color::Indexed(xterm_index(r, g, b)),
            ColourMode::None => Color::Reset,
        }
    }

    /// Colour of a class (or class group when there are more classes than colours).
    pub fn class(&self, index: usize) -> Color {
        if self.mode == ColourMode::Indexed {
            return Color::Indexed(CLASS_256[index % CLASS_256.len()]);
        }
        let (r, g, b) = CLASS_COLOURS[index % CLASS_COLOURS.len()];
        self.rgb(r, g, b)
    }

    /// Viridis at `t` in [0, 1]: continuous in true colour, [`RAMP_256`]'s levels in 256.
    pub fn scale(&self, t: f64) -> Color {
        match self.mode {
            ColourMode::Indexed => Color::Indexed(RAMP_256[ramp_level(t, RAMP_256.len())]),
            _ => {
                let (r, g, b) = viridis(t);
                self.rgb(r, g, b)
            }
        }
    }

    /// How many distinct colours [`Theme::scale`] has (0: shading characters instead).
    pub fn scale_levels(&self) -> usize {
        match self.mode {
            ColourMode::TrueColour => 256,
            ColourMode::Indexed => RAMP_256.len(),
            ColourMode::None => 0,
        }
    }

    /// The diagonal of a matrix, drawn apart from the scale: a grey no ramp colour is.
    pub fn diagonal(&self) -> Color {
        self.rgb(88, 88, 88)
    }

    pub fn correct(&self) -> Color {
        self.rgb(90, 200, 90)
    }

    pub fn wrong(&self) -> Color {
        self.rgb(230, 60, 60)
    }

    pub fn dim(&self) -> Color {
        self.rgb(70, 70, 70)
    }

    pub fn highlight(&self) -> Style {
        match self.mode {
            ColourMode::None => Style::default().add_modifier(Modifier::REVERSED),
            _ => Style::default()
                .bg(self.rgb(60, 60, 90))
                .add_modifier(Modifier::BOLD),
        }
    }

    pub fn accent(&self) -> Style {
        match self.mode {
            ColourMode::None => Style::default().add_modifier(Modifier::BOLD),
            _ => Style::default()
                .fg(self.rgb(255, 200, 60))
                .add_modifier(Modifier::BOLD),
        }
    }

    pub fn muted(&self) -> Style {
        match self.mode {
            ColourMode::None => Style::default(),
            _ => Style::default().fg(self.rgb(140, 140, 140)),
        }
    }

    pub fn colourless(&self) -> bool {
        self.mode == ColourMode::None
    }
}

pub fn viridis(t: f64) -> (u8, u8, u8) {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0) as f32
    } else {
        0.0
    };
    let x = t * (VIRIDIS.len() - 1) as f32;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f32;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: f32, q: f32| (p + (q - p) * f).round() as u8;
    (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The level of `t` in [0, 1] among `levels` equal steps (non-finite: the lowest).
pub fn ramp_level(t: f64, levels: usize) -> usize {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    ((t * levels as f64) as usize).min(levels.saturating_sub(1))
}

/// Nearest colour of xterm's 256-colour palette (the 6x6x6 cube and the 24 greys).
pub fn xterm_index(r: u8, g: u8, b: u8) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let nearest = |v: u8| {
        LEVELS
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| (**l as i32 - v as i32).abs())
            .map_or(0, |(i, _)| i)
    };
    let (ri, gi, bi) = (nearest(r), nearest(g), nearest(b));
    let cube = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let grey_level = ((r as u32 + g as u32 + b as u32) / 3) as i32;
    let gi_ramp = ((grey_level - 8).max(0) / 10).min(23);
    let grey = (8 + gi_ramp * 10) as u8;
    let dist = |c: (u8, u8, u8)| {
        (c.0 as i32 - r as i32).pow(2)
            + (c.1 as i32 - g as i32).pow(2)
            + (c.2 as i32 - b as i32).pow(2)
    };
    if dist((grey, grey, grey)) < dist(cube) {
        232 + gi_ramp as u8
    } else {
        16 + 36 * ri as u8 + 6 * gi as u8 + bi as u8
    }
}

/// Shading characters standing in for colour under NO_COLOR, lightest to darkest.
pub const SHADES: [char; 5] = [' ', '░', '▒', '▓', '█'];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_ends_and_xterm_mapping() {
        assert_eq!(viridis(0.0), (68, 1, 84));
        assert_eq!(viridis(1.0), (253, 231, 37));
        assert_eq!(viridis(f64::NAN), (68, 1, 84));
        assert_eq!(xterm_index(255, 0, 0), 196);
        assert_eq!(xterm_index(0, 0, 0), 16);
        assert_eq!(xterm_index(128, 128, 128), 244);
    }

    /// xterm's 256-colour palette entry as RGB (cube and grey ramp).
    fn palette(i: u8) -> (f64, f64, f64) {
        const LEVELS: [f64; 6] = [0.0, 95.0, 135.0, 175.0, 215.0, 255.0];
        match i {
            16..=231 => {
                let i = (i - 16) as usize;
                (LEVELS[i / 36], LEVELS[(i / 6) % 6], LEVELS[i % 6])
            }
            232..=255 => {
                let g = 8.0 + 10.0 * f64::from(i - 232);
                (g, g, g)
            }
            _ => panic!("not a cube or grey entry: {i}"),
        }
    }

    #[test]
    fn the_256_colour_ramp_has_ten_distinct_levels_rising_in_luminance() {
        let theme = Theme::new(ColourMode::Indexed);
        let mut seen: Vec<Color> = (0..=100).map(|i| theme.scale(i as f64 / 100.0)).collect();
        seen.dedup();
        assert!(seen.len() >= 10, "{} levels: {seen:?}", seen.len());
        // Relative luminance (sRGB) rises strictly along the ramp, so it reads as an order
        // even to colour-blind eyes, and no level is a grey (the diagonal's colour).
        let lin = |v: f64| {
            let v = v / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let lum: Vec<f64> = RAMP_256
            .iter()
            .map(|&i| {
                let (r, g, b) = palette(i);
                0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
            })
            .collect();
        assert!(lum.windows(2).all(|w| w[1] > w[0]), "{lum:?}");
        assert!(RAMP_256.iter().all(|&i| {
            let (r, g, b) = palette(i);
            !(r == g && g == b)
        }));
        assert!(!seen.contains(&theme.diagonal()));
        assert_eq!(theme.scale(0.0), Color::Indexed(53));
        assert_eq!(theme.scale(1.0), Color::Indexed(227));
    }

    #[test]
    fn the_first_ten_class_colours_are_far_apart_on_256_colour_terminals() {
        let theme = Theme::new(ColourMode::Indexed);
        let rgb: Vec<(f64, f64, f64)> = (0..10)
            .map(|c| match theme.class(c) {
                Color::Indexed(i) => palette(i),
                other => panic!("{other:?}"),
            })
            .collect();
        for a in 0..10 {
            for b in a + 1..10 {
                let (p, q) = (rgb[a], rgb[b]);
                let d = ((p.0 - q.0).powi(2) + (p.1 - q.1).powi(2) + (p.2 - q.2).powi(2)).sqrt();
                assert!(d >= 80.0, "classes {a} and {b}: {p:?} {q:?}, {d:.0} apart");
            }
        }
    }
}
