//! natscli's message templates, as `nats pub` expands them in bodies, subjects and header
//! values: `{{Count}}`, `{{ID}}`, `{{Time}}`, `{{TimeStamp}}`, `{{Unix}}`, `{{UnixNano}}`,
//! `{{Random a b}}` (and natscli's `Cnt` and `UUID`).
//!
//! natscli runs Go's text/template with these functions; jq-nats parses the same subset once and
//! renders it per job, so a template without actions costs nothing per job. The field forms
//! (`{{.Count}}`), trim markers (`{{- x -}}`), comments and quoted strings (`{{"{{"}}`) work
//! too; anything else, such as an unknown function, is a usage error naming it.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;

use crate::error::usage;

/// The functions a template may call, as natscli documents them.
pub const FUNCTIONS: &str =
    "Count, ID, Time, TimeStamp, Unix, UnixNano, Random MIN MAX (also Cnt, UUID)";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    /// The job's number: 1, 2, 3... for `--count`, the input line number for stdin.
    Count,
    /// A unique id (a NUID, as natscli's `nuid.Next()`).
    Id,
    Uuid,
    /// Local time, Go's `time.Kitchen` ("3:04PM").
    Time,
    /// Local time, RFC 3339 with seconds and the UTC offset.
    TimeStamp,
    Unix,
    UnixNano,
    /// A random string of a-z, A-Z, 0-9, between MIN and MAX characters long.
    Random(u32, u32),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses `text`; `what` names where it came from in error messages (`the body`, `--id`).
    pub fn parse(text: &str, what: &str) -> Result<Template> {
        let mut parts: Vec<Part> = Vec::new();
        let mut rest = text;
        let mut trim_next = false;
        while let Some(open) = rest.find("{{") {
            let mut literal = &rest[..open];
            if trim_next {
                literal = literal.trim_start();
            }
            let after = &rest[open + 2..];
            let (after, trim_before) = match after.strip_prefix('-') {
                Some(a) if a.starts_with(char::is_whitespace) => (a, true),
                _ => (after, false),
            };
            if trim_before {
                literal = literal.trim_end();
            }
            push_text(&mut parts, literal);
            let close = find_close(after).ok_or_else(|| {
                usage(format!(
                    "unclosed action in {what}: `{{{{` without `}}}}` in `{text}`"
                ))
            })?;
            let mut action = &after[..close];
            trim_next = false;
            if let Some(a) = action.strip_suffix('-') {
                if a.ends_with(char::is_whitespace) {
                    action = a;
                    trim_next = true;
                }
            }
            parse_action(action.trim(), what, &mut parts)?;
            rest = &after[close + 2..];
        }
        push_text(&mut parts, if trim_next { rest.trim_start() } else { rest });
        Ok(Template { parts })
    }

    /// Whether the template has no actions: it renders the same text for every job.
    pub fn is_static(&self) -> bool {
        self.parts.iter().all(|p| matches!(p, Part::Text(_)))
    }

    /// Whether rendering needs the clock.
    pub fn uses_time(&self) -> bool {
        self.parts.iter().any(|p| {
            matches!(
                p,
                Part::Time | Part::TimeStamp | Part::Unix | Part::UnixNano
            )
        })
    }

    /// The text of a static template.
    pub fn text(&self) -> Option<String> {
        self.is_static().then(|| {
            self.parts
                .iter()
                .map(|p| match p {
                    Part::Text(t) => t.as_str(),
                    _ => "",
                })
                .collect()
        })
    }

    /// Renders the template for job `count` at time `now` into `out` (cleared first).
    pub fn render_into(&self, count: u64, now: &mut Moment, out: &mut String) {
        out.clear();
        for part in &self.parts {
            // Writing to a String cannot fail.
            let _ = match part {
                Part::Text(t) => {
                    out.push_str(t);
                    Ok(())
                }
                Part::Count => write!(out, "{count}"),
                Part::Id => write!(out, "{}", nuid::next()),
                Part::Uuid => {
                    out.push_str(&uuid_v4());
                    Ok(())
                }
                Part::Time => {
                    out.push_str(&now.kitchen());
                    Ok(())
                }
                Part::TimeStamp => {
                    out.push_str(&now.rfc3339());
                    Ok(())
                }
                Part::Unix => write!(out, "{}", now.unix_nanos / 1_000_000_000),
                Part::UnixNano => write!(out, "{}", now.unix_nanos),
                Part::Random(min, max) => {
                    random_string(*min, *max, out);
                    Ok(())
                }
            };
        }
    }

    /// Renders the template for job `count` at time `now`.
    pub fn render(&self, count: u64, now: &mut Moment) -> String {
        let mut out = String::new();
        self.render_into(count, now, &mut out);
        out
    }
}

fn push_text(parts: &mut Vec<Part>, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Part::Text(prev)) = parts.last_mut() {
        prev.push_str(text);
    } else {
        parts.push(Part::Text(text.to_string()));
    }
}

/// The position of the `}}` closing an action, skipping over quoted strings.
fn find_close(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

fn parse_action(action: &str, what: &str, parts: &mut Vec<Part>) -> Result<()> {
    if action.starts_with("/*") && action.ends_with("*/") && action.len() >= 4 {
        return Ok(());
    }
    if let Some(literal) = parse_string_literal(action) {
        push_text(parts, &literal);
        return Ok(());
    }
    let mut words = action.split_whitespace();
    let Some(name) = words.next() else {
        return Err(usage(format!("empty action `{{{{}}}}` in {what}")));
    };
    let args: Vec<&str> = words.collect();
    // `.Count` reads natscli's data fields, which hold the same values as the functions.
    let (field, name) = match name.strip_prefix('.') {
        Some(n) => (true, n),
        None => (false, name),
    };
    let part = match name {
        "Count" | "Cnt" => Part::Count,
        "ID" => Part::Id,
        "Time" => Part::Time,
        "TimeStamp" => Part::TimeStamp,
        "Unix" => Part::Unix,
        "UnixNano" => Part::UnixNano,
        "UUID" if !field => Part::Uuid,
        "Random" if !field => {
            let [min, max] = args[..] else {
                return Err(usage(format!(
                    "`Random` in {what} takes two numbers, the shortest and longest length, like `{{{{Random 10 100}}}}`"
                )));
            };
            let num = |s: &str| {
                s.parse::<u32>().map_err(|_| {
                    usage(format!("`Random` in {what} takes whole numbers, not `{s}`"))
                })
            };
            let (min, max) = (num(min)?, num(max)?);
            // As natscli: the bounds may come in either order.
            Part::Random(min.min(max), min.max(max))
        }
        _ => {
            let shown = if field {
                format!(".{name}")
            } else {
                name.to_string()
            };
            return Err(usage(format!(
                "unknown template function `{shown}` in {what}; available: {FUNCTIONS}"
            )));
        }
    };
    if !matches!(part, Part::Random(..)) && !args.is_empty() {
        return Err(usage(format!(
            "`{name}` in {what} takes no arguments, got `{}`",
            args.join(" ")
        )));
    }
    parts.push(part);
    Ok(())
}

/// A Go string literal: "double quoted" with backslash escapes, or `raw`.
fn parse_string_literal(s: &str) -> Option<String> {
    if s.len() >= 2 && s.starts_with('`') && s.ends_with('`') {
        return Some(s[1..s.len() - 1].to_string());
    }
    if !(s.len() >= 2 && s.starts_with('"') && s.ends_with('"')) {
        return None;
    }
    let mut out = String::new();
    let mut chars = s[1..s.len() - 1].chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            _ => return None,
        }
    }
    Some(out)
}

/// The moment a job is rendered, shared by its body, subject and headers. The local-time
/// texts are formatted on first use.
#[derive(Debug, Clone)]
pub struct Moment {
    pub unix_nanos: i128,
    local: Option<LocalTime>,
}

#[derive(Debug, Clone)]
struct LocalTime {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    offset_secs: i64,
}

impl Moment {
    pub fn now() -> Moment {
        let nanos = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_nanos() as i128,
            Err(e) => -(e.duration().as_nanos() as i128),
        };
        Moment::at_unix_nanos(nanos)
    }

    pub fn at_unix_nanos(unix_nanos: i128) -> Moment {
        Moment {
            unix_nanos,
            local: None,
        }
    }

    fn local(&mut self) -> &LocalTime {
        let secs = self.unix_nanos.div_euclid(1_000_000_000) as i64;
        self.local.get_or_insert_with(|| local_time(secs))
    }

    /// Go's `time.Kitchen`: "3:04PM".
    fn kitchen(&mut self) -> String {
        let t = self.local();
        let hour12 = match t.hour % 12 {
            0 => 12,
            h => h,
        };
        let meridiem = if t.hour < 12 { "AM" } else { "PM" };
        format!("{hour12}:{:02}{meridiem}", t.minute)
    }

    /// Go's `time.RFC3339`: "2006-01-02T15:04:05Z07:00".
    fn rfc3339(&mut self) -> String {
        let t = self.local();
        let offset = if t.offset_secs == 0 {
            "Z".to_string()
        } else {
            let sign = if t.offset_secs < 0 { '-' } else { '+' };
            let abs = t.offset_secs.abs();
            format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
        };
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{offset}",
            t.year, t.month, t.day, t.hour, t.minute, t.second
        )
    }
}

/// The broken-down local time (the zone from TZ or /etc/localtime, as Go's `time.Local`).
fn local_time(secs: i64) -> LocalTime {
    let t: libc::time_t = secs as libc::time_t;
    // SAFETY: localtime_r only writes the struct we hand it; a zeroed `tm` is a valid value.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if !ok {
        // Fall back to UTC.
        let dt = time::OffsetDateTime::from_unix_timestamp(secs)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        return LocalTime {
            year: dt.year(),
            month: dt.month() as u32,
            day: dt.day() as u32,
            hour: dt.hour() as u32,
            minute: dt.minute() as u32,
            second: dt.second() as u32,
            offset_secs: 0,
        };
    }
    LocalTime {
        year: tm.tm_year + 1900,
        month: (tm.tm_mon + 1) as u32,
        day: tm.tm_mday as u32,
        hour: tm.tm_hour as u32,
        minute: tm.tm_min as u32,
        second: tm.tm_sec as u32,
        offset_secs: tm.tm_gmtoff as i64,
    }
}

const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// natscli's `RandomString`: a-z, A-Z, 0-9, at least `min` and at most `max` long.
fn random_string(min: u32, max: u32, out: &mut String) {
    let len = min + (next_random() % (u64::from(max - min) + 1)) as u32;
    out.reserve(len as usize);
    for _ in 0..len {
        out.push(ALPHANUMERIC[(next_random() % ALPHANUMERIC.len() as u64) as usize] as char);
    }
}

/// A random (version 4) UUID, as natscli's `UUID`.
fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&next_random().to_le_bytes());
    b[8..].copy_from_slice(&next_random().to_le_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

thread_local! {
    static RNG: std::cell::Cell<u64> = std::cell::Cell::new(seed());
}

/// A per-process random seed, from the OS randomness std uses for hash maps.
fn seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Moment::now().unix_nanos as u128);
    h.write_u32(std::process::id());
    h.finish()
}

/// wyrand: fast, well-distributed, not for secrets (test data and job names only).
fn next_random() -> u64 {
    RNG.with(|state| {
        let s = state.get().wrapping_add(0xa076_1d64_78bd_642f);
        state.set(s);
        let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UsageError;

    fn render(text: &str, count: u64) -> String {
        Template::parse(text, "the body")
            .unwrap()
            .render(count, &mut Moment::now())
    }

    fn usage_message(text: &str) -> String {
        let err = Template::parse(text, "the body").unwrap_err();
        assert!(err.is::<UsageError>(), "{err} is not a usage error");
        err.to_string()
    }

    #[test]
    fn plain_text_is_static() {
        let t = Template::parse("order {1} }} {", "the body").unwrap();
        assert!(t.is_static());
        assert_eq!(t.text().as_deref(), Some("order {1} }} {"));
        assert!(!Template::parse("a {{Count}}", "x").unwrap().is_static());
    }

    #[test]
    fn count_in_all_spellings() {
        assert_eq!(render("order-{{Count}}", 7), "order-7");
        assert_eq!(
            render("{{ Count }}/{{.Count}}/{{Cnt}}/{{ .Cnt }}", 3),
            "3/3/3/3"
        );
    }

    #[test]
    fn trim_markers_comments_and_strings() {
        assert_eq!(render("a  {{- Count -}}  b", 1), "a1b");
        assert_eq!(render("a{{/* note */}}b", 1), "ab");
        assert_eq!(render(r#"{{"{{"}}Count}}"#, 1), "{{Count}}");
        assert_eq!(render("{{`}}`}}", 1), "}}");
    }

    #[test]
    fn time_functions_at_a_fixed_moment() {
        // 2021-03-04T05:06:07.123456789Z
        let nanos = 1_614_834_367_123_456_789i128;
        let t = Template::parse("{{Unix}} {{UnixNano}}", "x").unwrap();
        assert_eq!(
            t.render(1, &mut Moment::at_unix_nanos(nanos)),
            "1614834367 1614834367123456789"
        );
        let mut now = Moment::at_unix_nanos(nanos);
        let stamp = Template::parse("{{TimeStamp}}", "x")
            .unwrap()
            .render(1, &mut now);
        let parsed =
            time::OffsetDateTime::parse(&stamp, &time::format_description::well_known::Rfc3339)
                .unwrap();
        assert_eq!(parsed.unix_timestamp(), 1_614_834_367);
        assert!(!stamp.contains('.'), "whole seconds, as Go: {stamp}");
        let kitchen = Template::parse("{{Time}}", "x")
            .unwrap()
            .render(1, &mut now);
        assert!(
            kitchen.ends_with("AM") || kitchen.ends_with("PM"),
            "{kitchen}"
        );
        assert!(
            kitchen.contains(':') && !kitchen.starts_with('0'),
            "{kitchen}"
        );
    }

    #[test]
    fn kitchen_and_rfc3339_formats() {
        let mut now = Moment::at_unix_nanos(0);
        now.local = Some(LocalTime {
            year: 2024,
            month: 1,
            day: 2,
            hour: 0,
            minute: 5,
            second: 9,
            offset_secs: -(3 * 3600 + 30 * 60),
        });
        assert_eq!(now.kitchen(), "12:05AM");
        assert_eq!(now.rfc3339(), "2024-01-02T00:05:09-03:30");
        now.local.as_mut().unwrap().hour = 15;
        now.local.as_mut().unwrap().offset_secs = 0;
        assert_eq!(now.kitchen(), "3:05PM");
        assert_eq!(now.rfc3339(), "2024-01-02T15:05:09Z");
    }

    #[test]
    fn ids_are_unique_nuids() {
        let t = Template::parse("{{ID}}", "x").unwrap();
        let a = t.render(1, &mut Moment::now());
        let b = t.render(1, &mut Moment::now());
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        let u = render("{{UUID}}", 1);
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn random_lengths_within_bounds_either_order() {
        for _ in 0..200 {
            let s = render("{{Random 3 6}}", 1);
            assert!((3..=6).contains(&s.len()), "{s}");
            assert!(s.bytes().all(|c| c.is_ascii_alphanumeric()));
            let s = render("{{ Random 5 2 }}", 1);
            assert!((2..=5).contains(&s.len()), "{s}");
        }
        assert_eq!(render("{{Random 4 4}}", 1).len(), 4);
        assert_eq!(render("[{{Random 0 0}}]", 1), "[]");
    }

    #[test]
    fn unknown_function_is_a_usage_error_naming_it() {
        let m = usage_message("hello {{Bogus}}");
        assert!(m.contains("`Bogus`") && m.contains("the body"), "{m}");
        assert!(m.contains("Count"), "lists the available ones: {m}");
        assert!(usage_message("{{.Nope}}").contains("`.Nope`"));
        assert!(usage_message("{{Random 1}}").contains("Random"));
        assert!(usage_message("{{Random a b}}").contains("`a`"));
        assert!(usage_message("{{Count 3}}").contains("no arguments"));
        assert!(usage_message("open {{Count").contains("unclosed"));
        assert!(usage_message("{{ }}").contains("empty"));
    }
}
