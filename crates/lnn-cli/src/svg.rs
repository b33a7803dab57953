//! A small SVG writer for the reproduction figures: line plots with axes and a legend, and
//! space-time images. Hand-written to keep the build free of a plotting stack.
use std::fmt::Write as _;

/// One line of a plot.
pub struct Series {
    /// Legend text.
    pub name: String,
    /// CSS colour.
    pub color: &'static str,
    /// (x, y) points; non-finite y values break the line.
    pub points: Vec<(f64, f64)>,
}

/// A line plot.
pub struct Plot {
    /// Title above the plot.
    pub title: String,
    /// x-axis label.
    pub xlabel: String,
    /// y-axis label.
    pub ylabel: String,
    /// The lines.
    pub series: Vec<Series>,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// Fixed y range (in data units); lines leaving it are drawn along its edge. `None`: fit.
    pub y_range: Option<(f64, f64)>,
}

const W: f64 = 640.0;
const H: f64 = 400.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;

/// Colours of the figures: truth, LNN, baseline / HNN variants.
pub const TRUTH: &str = "#222222";
/// LNN colour.
pub const LNN: &str = "#d9480f";
/// Baseline colour.
pub const BASELINE: &str = "#1c7ed6";
/// A third model's colour.
pub const OTHER: &str = "#2b8a3e";

/// "Nice" tick positions covering [lo, hi].
fn ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    let span = (hi - lo).max(1e-300);
    let raw = span / count as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= count as f64)
        .unwrap_or(10.0 * mag);
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + step * 1e-9 {
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn label(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 1e4 || v.abs() < 1e-2 {
        format!("{v:.0e}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl Plot {
    /// The plot as an SVG document.
    pub fn to_svg(&self) -> String {
        let ty = |y: f64| if self.log_y { y.max(1e-300).log10() } else { y };
        let finite = self
            .series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|p| p.0.is_finite() && ty(p.1).is_finite());
        let (mut x0, mut x1, mut y0, mut y1) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for &(x, y) in finite {
            let y = ty(y);
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        if !x0.is_finite() {
            (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
        }
        if let Some((lo, hi)) = self.y_range {
            (y0, y1) = (ty(lo), ty(hi));
        }
        if y1 - y0 < 1e-12 * y1.abs().max(1.0) {
            y0 -= 0.5;
            y1 += 0.5;
        }
        let pad = 0.05 * (y1 - y0);
        let (y0, y1) = (y0 - pad, y1 + pad);
        let px = |x: f64| LEFT + (x - x0) / (x1 - x0).max(1e-300) * (W - LEFT - RIGHT);
        let pyt = |t: f64| TOP + (1.0 - (t - y0) / (y1 - y0)) * (H - TOP - BOTTOM);
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12"><rect width="{W}" height="{H}" fill="white"/>"#
        );
        let _ = write!(
            s,
            r#"<text x="{}" y="22" text-anchor="middle" font-size="15">{}</text>"#,
            W / 2.0,
            esc(&self.title)
        );
        // axes and ticks
        let _ = write!(
            s,
            r##"<rect x="{LEFT}" y="{TOP}" width="{}" height="{}" fill="none" stroke="#888"/>"##,
            W - LEFT - RIGHT,
            H - TOP - BOTTOM
        );
        for t in ticks(x0, x1, 6) {
            let x = px(t);
            let _ = write!(
                s,
                r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="#ddd"/>"##,
                TOP,
                H - BOTTOM
            );
            let _ = write!(
                s,
                r#"<text x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#,
                H - BOTTOM + 16.0,
                label(t)
            );
        }
        for t in ticks(y0, y1, 5) {
            let y = pyt(t);
            let text = if self.log_y {
                format!("1e{}", t.round())
            } else {
                label(t)
            };
            if self.log_y && (t - t.round()).abs() > 1e-9 {
                continue;
            }
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#ddd"/>"##,
                W - RIGHT
            );
            let _ = write!(
                s,
                r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                LEFT - 6.0,
                y + 4.0,
                text
            );
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            (LEFT + W - RIGHT) / 2.0,
            H - 12.0,
            esc(&self.xlabel)
        );
        let _ = write!(
            s,
            r#"<text transform="translate(16 {}) rotate(-90)" text-anchor="middle">{}</text>"#,
            (TOP + H - BOTTOM) / 2.0,
            esc(&self.ylabel)
        );
        // lines
        for ser in &self.series {
            let mut d = String::new();
            let mut pen = false;
            for &(x, y) in &ser.points {
                if !(x.is_finite() && ty(y).is_finite()) {
                    pen = false;
                    continue;
                }
                // Off-scale points run along the frame's edge instead of leaving it.
                let yc = pyt(ty(y).clamp(y0, y1));
                let _ = write!(d, "{}{:.1},{:.1}", if pen { " L" } else { " M" }, px(x), yc);
                pen = true;
            }
            let _ = write!(
                s,
                r#"<path d="{d}" fill="none" stroke="{}" stroke-width="1.6"/>"#,
                ser.color
            );
        }
        // legend
        for (k, ser) in self.series.iter().enumerate() {
            let y = TOP + 14.0 + 16.0 * k as f64;
            let x = LEFT + 10.0;
            let _ = write!(
                s,
                r#"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{}" stroke-width="3"/>"#,
                x + 18.0,
                ser.color
            );
            let _ = write!(
                s,
                r#"<text x="{}" y="{}">{}</text>"#,
                x + 24.0,
                y + 4.0,
                esc(&ser.name)
            );
        }
        s.push_str("</svg>\n");
        s
    }
}

/// A space-time image: `rows` times (top to bottom) × `cols` grid points, blue–white–red by value,
/// symmetric about zero with the given limit. Rows are thinned to at most 200.
pub fn space_time(title: &str, values: &[f64], rows: usize, cols: usize, limit: f64) -> String {
    let step = rows.div_ceil(200).max(1);
    let shown = rows.div_ceil(step);
    let (w, h) = (4.0 * cols as f64, 2.0 * shown as f64);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" font-family="sans-serif" font-size="12" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="white"/><text x="{}" y="16" text-anchor="middle">{}</text>"#,
        w + 20.0,
        h + 30.0,
        (w + 20.0) / 2.0,
        esc(title)
    );
    for (r, row) in (0..rows).step_by(step).enumerate() {
        for c in 0..cols {
            let v = (values[row * cols + c] / limit).clamp(-1.0, 1.0);
            let (red, green, blue) = if v >= 0.0 {
                (255.0, 255.0 * (1.0 - v), 255.0 * (1.0 - v))
            } else {
                (255.0 * (1.0 + v), 255.0 * (1.0 + v), 255.0)
            };
            let _ = write!(
                s,
                r#"<rect x="{}" y="{}" width="4" height="2" fill="rgb({:.0},{:.0},{:.0})"/>"#,
                10.0 + 4.0 * c as f64,
                24.0 + 2.0 * r as f64,
                red,
                green,
                blue
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 10.0, 5), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let t = ticks(-0.37, 0.81, 6);
        assert!(
            t.first().unwrap() >= &-0.37 && t.last().unwrap() <= &0.81 && t.len() >= 4,
            "{t:?}"
        );
    }

    #[test]
    fn plot_is_well_formed_svg_with_every_series() {
        let p = Plot {
            title: "E(t) <test>".into(),
            xlabel: "t".into(),
            ylabel: "E".into(),
            series: vec![
                Series {
                    name: "a".into(),
                    color: LNN,
                    points: vec![(0.0, 1.0), (1.0, 2.0), (2.0, f64::NAN), (3.0, 1.5)],
                },
                Series {
                    name: "b".into(),
                    color: BASELINE,
                    points: vec![(0.0, 0.5), (3.0, 0.7)],
                },
            ],
            log_y: false,
            y_range: None,
        };
        let svg = p.to_svg();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<path").count(), 2);
        assert!(svg.contains("E(t) &lt;test&gt;"));
        // the NaN breaks the first line into two pieces
        assert_eq!(svg.split("<path").nth(1).unwrap().matches(" M").count(), 2);
    }
}
