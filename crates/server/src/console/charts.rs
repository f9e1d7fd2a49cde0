//! Bar charts as inline SVG, written from numbers and the page's own words only (so a
//! page may insert them unescaped): labelled axes, a value on every bar, a title per bar
//! for screen readers. No script and no stylesheet: the page's CSP stays as it is.

use std::fmt::Write;

/// A bar chart's data: one bar per label (`None`: no bar, "no data" on hover).
pub struct Bars<'a> {
    /// What the chart shows, for screen readers.
    pub title: &'a str,
    /// The bars' labels along the x axis (a week's first day, say).
    pub labels: &'a [String],
    pub values: &'a [Option<f64>],
    /// The y axis: from 0 to this (at least the largest value).
    pub max: f64,
    /// A value as the chart writes it ("92%", "14").
    pub format: &'a dyn Fn(f64) -> String,
    /// A bar's colour: a warning colour for bad values; the value is written on the bar,
    /// so colour never carries the meaning alone.
    pub colour: &'a dyn Fn(f64) -> &'static str,
}

const BAR: usize = 44;
const HEIGHT: f64 = 120.0;
/// Room for the y axis's labels on the left, the x axis's below, values above.
const LEFT: usize = 40;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 16.0;

/// Escapes the few characters that matter in SVG text (the words are the console's own,
/// but a translation may hold `&`).
fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn bars(c: &Bars<'_>) -> String {
    let width = LEFT + c.labels.len() * BAR + 8;
    let total = TOP + HEIGHT + BOTTOM;
    let max = if c.max > 0.0 { c.max } else { 1.0 };
    let y = |v: f64| TOP + HEIGHT - (v / max).clamp(0.0, 1.0) * HEIGHT;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {width} {total}\" width=\"{width}\" height=\"{total}\" role=\"img\" aria-label=\"{}\">",
        text(c.title)
    );
    // The y axis: 0, half and the top, with grid lines.
    for v in [0.0, max / 2.0, max] {
        let at = y(v);
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" x2=\"{}\" y1=\"{at:.1}\" y2=\"{at:.1}\" stroke=\"#d0d7de\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\" fill=\"#57606a\">{}</text>",
            width - 4,
            LEFT - 4,
            at + 3.0,
            text(&(c.format)(v))
        );
    }
    for (i, (label, value)) in c.labels.iter().zip(c.values).enumerate() {
        let x = LEFT + i * BAR + 6;
        let mid = x + (BAR - 12) / 2;
        let _ = write!(
            svg,
            "<text x=\"{mid}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#57606a\">{}</text>",
            TOP + HEIGHT + 14.0,
            text(label)
        );
        let Some(v) = value else { continue };
        let top = y(*v).min(TOP + HEIGHT - 1.0);
        let shown = text(&(c.format)(*v));
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{top:.1}\" width=\"{}\" height=\"{:.1}\" fill=\"{}\"><title>{} {shown}</title></rect>\
             <text x=\"{mid}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#24292f\">{shown}</text>",
            BAR - 12,
            TOP + HEIGHT - top,
            (c.colour)(*v),
            text(label),
            top - 3.0,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A small bar per week for a table row: the within-target share, no axes (the row's
/// figures say the numbers; each bar's title gives its week and value).
pub fn spark(title: &str, labels: &[String], shares: &[Option<f64>]) -> String {
    const W: usize = 12;
    const H: f64 = 28.0;
    let width = shares.len() * W;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{H}\" role=\"img\" aria-label=\"{}\"><rect width=\"{width}\" height=\"{H}\" fill=\"#eef1f4\"/>",
        text(title)
    );
    for (i, (label, s)) in labels.iter().zip(shares).enumerate() {
        let Some(s) = s else { continue };
        let s = s.clamp(0.0, 1.0);
        let h = (s * H).max(1.0);
        let colour = if s >= 0.9 { "#2a9d8f" } else { "#d62828" };
        let _ = write!(
            svg,
            "<rect x=\"{}\" y=\"{:.1}\" width=\"{}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{} {:.0}%</title></rect>",
            i * W + 2,
            H - h,
            W - 4,
            text(label),
            s * 100.0
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_labels_its_axes_and_every_bar() {
        let labels = [
            "11-02".to_string(),
            "11-09".to_string(),
            "11-16".to_string(),
        ];
        let svg = bars(&Bars {
            title: "Within target <weekly> & more",
            labels: &labels,
            values: &[Some(1.0), None, Some(0.5)],
            max: 1.0,
            format: &|v| format!("{:.0}%", v * 100.0),
            colour: &|v| if v >= 0.9 { "#2a9d8f" } else { "#d62828" },
        });
        // Both axes' labels, a value on each bar with data, none on the empty week.
        for label in ["0%", "50%", "100%", "11-02", "11-09", "11-16"] {
            assert!(svg.contains(&format!(">{label}<")), "{label}: {svg}");
        }
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("<title>11-16 50%</title>"));
        assert!(svg.contains("aria-label=\"Within target &lt;weekly&gt; &amp; more\""));
    }
}
