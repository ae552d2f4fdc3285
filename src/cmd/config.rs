//! `quarry config`: the resolved settings and where each came from.

use super::Config;
use crate::cli::ConfigArgs;
use anyhow::Result;
use std::io::Write;

/// Prints every setting with its source (default, the file, a variable or a flag).
pub fn run(config: &Config, args: &ConfigArgs) -> Result<i32> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        let mut settings = serde_json::Map::new();
        for s in &config.settings {
            settings.insert(
                s.key.to_string(),
                serde_json::json!({
                    "value": s.value,
                    "source": s.source.kind(),
                    "from": s.source.name(),
                }),
            );
        }
        let doc = serde_json::json!({
            "file": config.file.as_ref().map(|p| p.display().to_string()),
            "settings": settings,
        });
        writeln!(out, "{doc}")?;
    } else {
        let file = config
            .file
            .as_ref()
            .map_or("none".to_string(), |p| p.display().to_string());
        writeln!(out, "{:<15} {file}", "config file")?;
        for s in &config.settings {
            let value = match &s.value {
                serde_json::Value::String(v) => v.clone(),
                serde_json::Value::Array(a) if a.is_empty() => "(none)".to_string(),
                serde_json::Value::Array(a) => a
                    .iter()
                    .map(|v| v.as_str().map_or(v.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(", "),
                v => v.to_string(),
            };
            writeln!(out, "{:<15} {value:<44} {}", s.key, s.source)?;
        }
    }
    out.flush()?;
    Ok(0)
}
