//! The training curve of every model card as an SVG image next to it (`assets/models/NAME.curve.svg`), named in
//! the card as `curve_image`: readable on a code host without running the site.

use std::fmt::Write;
use std::path::Path;

use anyhow::Result;

const COLOURS: [&str; 4] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];

/// Writes `NAME.curve.svg` for every card in `dir` that has a curve, and records it in the card.
pub fn write_all(dir: &Path) -> Result<usize> {
    let mut written = 0;
    let mut cards: Vec<_> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    cards.sort();
    for path in cards {
        let mut card: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
        let name = card["name"].as_str().unwrap_or_default().to_string();
        let Some(svg) = curve_svg(&name, &card["curve"]) else {
            continue;
        };
        let file = format!("{name}.curve.svg");
        std::fs::write(dir.join(&file), svg)?;
        card["curve_image"] = file.into();
        std::fs::write(&path, serde_json::to_string_pretty(&card)? + "\n")?;
        written += 1;
    }
    Ok(written)
}

/// A line chart of every numeric series of `curve` (a list of objects) against `step` or `epoch`.
fn curve_svg(name: &str, curve: &serde_json::Value) -> Option<String> {
    let rows = curve.as_array().filter(|r| r.len() > 1)?;
    let x_key = if rows[0].get("step").is_some() {
        "step"
    } else {
        "epoch"
    };
    let keys: Vec<String> = rows[0]
        .as_object()?
        .iter()
        .filter(|(k, v)| k.as_str() != x_key && v.is_number())
        .map(|(k, _)| k.clone())
        .collect();
    let points = |key: &str| -> Vec<(f64, f64)> {
        rows.iter()
            .filter_map(|r| Some((r.get(x_key)?.as_f64()?, r.get(key)?.as_f64()?)))
            .collect()
    };
    let all: Vec<(f64, f64)> = keys.iter().flat_map(|k| points(k)).collect();
    let (x0, x1) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.0), a.1.max(p.0)));
    let (y0, y1) = all
        .iter()
        .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.1), a.1.max(p.1)));
    let (w, h, left, right, top, bottom) = (560.0, 300.0, 60.0, 20.0, 36.0, 40.0);
    let sx = |x: f64| left + (x - x0) / (x1 - x0).max(1e-12) * (w - left - right);
    let sy = |y: f64| h - bottom - (y - y0) / (y1 - y0).max(1e-12) * (h - top - bottom);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"11\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n<text x=\"{left}\" y=\"16\" font-size=\"13\">{name}: training curve</text>\n"
    );
    let _ = writeln!(
        svg,
        "<line x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#444\"/><line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{0}\" stroke=\"#444\"/>",
        h - bottom,
        w - right
    );
    for i in 0..=4 {
        let y = y0 + (y1 - y0) * f64::from(i) / 4.0;
        let x = x0 + (x1 - x0) * f64::from(i) / 4.0;
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{y:.3}</text><text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{x:.0}</text>",
            left - 4.0,
            sy(y) + 4.0,
            sx(x),
            h - bottom + 14.0
        );
    }
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{x_key}</text>",
        (left + w - right) / 2.0,
        h - 6.0
    );
    for (i, key) in keys.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let line: String = points(key)
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1} ", sx(x), sy(y)))
            .collect();
        let _ = writeln!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.8\" points=\"{line}\"/>"
        );
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{}\" fill=\"{colour}\">{key}</text>",
            w - right - 150.0,
            top + 14.0 * (i as f64 + 1.0)
        );
    }
    svg.push_str("</svg>\n");
    Some(svg)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_curve_becomes_an_svg_with_one_line_per_series() {
        let curve =
            serde_json::json!([{"step": 1, "a": 2.0, "b": 1.0}, {"step": 2, "a": 1.5, "b": 0.5}]);
        let svg = super::curve_svg("m", &curve).unwrap();
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(super::curve_svg("m", &serde_json::json!([])).is_none());
    }
}
