//! Value syntax shared with natscli: durations (`5s`, `2m0s`, `1h30m`, `500ms`) and sizes
//! (`256MB`, `1MiB`, `1k`; base 1024 with or without `B`/`iB`; a leading `-` means unlimited).

use std::time::Duration;

/// A duration as natscli and Go's `time.ParseDuration` write it: `5s`, `2m0s`, `1h30m`, `1.5s`,
/// `500ms`, `250us`; also `1d`/`1w` (natscli accepts those) and humantime's spaced forms.
/// A duration that must be longer than zero (a time limit of 0 would fail every job).
pub fn parse_positive_duration(input: &str) -> Result<Duration, String> {
    match parse_duration(input)? {
        d if d.is_zero() => Err("must be longer than 0".into()),
        d => Ok(d),
    }
}

pub fn parse_duration(input: &str) -> Result<Duration, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total = 0f64;
    let mut rest = s;
    let mut any = false;
    while !rest.is_empty() {
        rest = rest.trim_start();
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_end == 0 {
            return Err(bad_duration(input));
        }
        let number: f64 = rest[..num_end].parse().map_err(|_| bad_duration(input))?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.' || c.is_whitespace())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        rest = &rest[unit_end..];
        let seconds = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" | "sec" | "secs" => 1.0,
            "m" | "min" | "mins" => 60.0,
            "h" | "hr" | "hrs" => 3600.0,
            "d" | "day" | "days" => 86400.0,
            "w" | "week" | "weeks" => 7.0 * 86400.0,
            "y" | "year" | "years" => 365.0 * 86400.0,
            _ => return Err(bad_duration(input)),
        };
        total += number * seconds;
        any = true;
    }
    if !any {
        return Err(bad_duration(input));
    }
    Ok(Duration::from_secs_f64(total))
}

fn bad_duration(input: &str) -> String {
    format!("invalid duration `{input}`: expected a number and a unit, like 500ms, 5s, 2m, 1h30m")
}

/// `--max-age`: a duration, or `-1`/`0` for unlimited (stored as zero).
pub fn parse_max_age(input: &str) -> Result<Duration, String> {
    if input.trim().starts_with('-') || input.trim() == "0" {
        return Ok(Duration::ZERO);
    }
    parse_duration(input)
}

/// A size in bytes: `256MB` = 268435456, `1MiB` = 1048576, `512` = 512; `-1` (or anything
/// starting with `-`) = unlimited (-1), as natscli reads it.
pub fn parse_size(input: &str) -> Result<i64, String> {
    let s = input.trim();
    if s.starts_with('-') {
        return Ok(-1);
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    if digits.is_empty() {
        return Err(format!(
            "invalid size `{input}`: expected a number with an optional unit, like 512, 1MiB, 256MB, 1GB"
        ));
    }
    let number: i64 = digits
        .parse()
        .map_err(|_| format!("invalid size `{input}`: number too large"))?;
    let multiplier: i64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        "T" | "TB" | "TIB" => 1 << 40,
        "P" | "PB" | "PIB" => 1 << 50,
        _ => {
            return Err(format!(
                "invalid size `{input}`: unknown unit `{unit}` (use B, K, KB, KiB, M, MB, MiB, G, GB, GiB, T)"
            ))
        }
    };
    number
        .checked_mul(multiplier)
        .ok_or_else(|| format!("invalid size `{input}`: too large"))
}

/// Bytes for people: `256 MiB`, `1.5 KiB`, `512 B`.
pub fn format_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else if value.fract() == 0.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A duration for people, to the second: `2m`, `1h30m`, `45s`, `350ms`.
pub fn format_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        let ms = d.as_millis();
        return if ms == 0 {
            "0s".into()
        } else {
            format!("{ms}ms")
        };
    }
    let (days, hours, mins, s) = (
        secs / 86400,
        (secs % 86400) / 3600,
        (secs % 3600) / 60,
        secs % 60,
    );
    let mut out = String::new();
    if days > 0 {
        out.push_str(&format!("{days}d"));
    }
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if mins > 0 {
        out.push_str(&format!("{mins}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_natscli_writes_them() {
        assert_eq!(parse_duration("5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_duration("2m0s").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("2m 30s").unwrap(), Duration::from_secs(150));
        assert!(parse_duration("5x").unwrap_err().contains("5x"));
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("").is_err());
        assert_eq!(parse_max_age("-1").unwrap(), Duration::ZERO);
    }

    #[test]
    fn sizes_as_natscli_reads_them() {
        assert_eq!(parse_size("256MB").unwrap(), 268435456);
        assert_eq!(parse_size("1MiB").unwrap(), 1048576);
        assert_eq!(parse_size("1MIB").unwrap(), 1048576);
        assert_eq!(parse_size("1k").unwrap(), 1024);
        assert_eq!(parse_size("512").unwrap(), 512);
        assert_eq!(parse_size("-1").unwrap(), -1);
        assert!(parse_size("12XB").unwrap_err().contains("XB"));
        assert!(parse_size("MB").is_err());
    }

    #[test]
    fn formats() {
        assert_eq!(format_bytes(268435456), "256 MiB");
        assert_eq!(format_bytes(1536), "1.5 KiB");
        assert_eq!(format_duration(Duration::from_secs(5400)), "1h30m");
        assert_eq!(format_duration(Duration::from_millis(350)), "350ms");
    }
}
