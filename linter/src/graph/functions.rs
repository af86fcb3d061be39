//! Terraform built-in functions over evaluated [`Value`]s.
//!
//! The aim is "never wrong": a result is computed only when Terraform would compute the
//! same one at plan time. Where an input is not known, the result is [`Value::Unknown`]
//! carrying every reference of the inputs, so rules can still follow them; where an
//! exact answer would need machinery we do not have (regular expressions, hashes,
//! Unicode segmentation of complex scripts), the result is unknown too, never a guess.
//! Definite mistakes (wrong types, out-of-range indices, bad CIDRs) are [`EvalError`]s.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use super::eval::EvalError;
use super::value::{Ref, Value, format_number};

type Result<T> = std::result::Result<T, EvalError>;

/// Terraform's own limit for `range()`.
const MAX_RANGE: usize = 1024;
/// `file()` refuses anything bigger: configurations do not embed huge files.
const MAX_FILE: u64 = 10 * 1024 * 1024;
/// Our own limits on what one call may build, so chained locals cannot blow up memory.
/// Exceeding them gives an unknown, not an error: Terraform would compute a value.
const MAX_STRING: usize = 10 * 1024 * 1024;
const MAX_ITEMS: usize = 100_000;
const MAX_WIDTH: usize = 4096;
/// Integers beyond 2^53 are not exact in an f64, while Terraform's numbers are.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

static NULL: Value = Value::Null;

fn err<T>(msg: impl Into<String>) -> Result<T> {
    Err(EvalError(msg.into()))
}

/// Unknown carrying every reference inside `values`, deduplicated, in order.
fn unknown_of(values: &[Value]) -> Value {
    let mut refs: Vec<Ref> = Vec::new();
    for v in values {
        for r in v.refs() {
            if !refs.contains(r) {
                refs.push(r.clone());
            }
        }
    }
    Value::Unknown(refs)
}

/// `Some(unknown)` when any argument is not fully known: for functions whose result
/// depends on every part of every argument.
fn gate(args: &[Value]) -> Option<Value> {
    if args.iter().all(Value::is_fully_known) {
        None
    } else {
        Some(unknown_of(args))
    }
}

fn arity(name: &str, args: &[Value], min: usize, max: usize) -> Result<()> {
    if args.len() < min || args.len() > max {
        let want = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return err(format!("{name}: expected {want} arguments, got {}", args.len()));
    }
    Ok(())
}

fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&NULL)
}

/// Terraform's automatic conversion to string (numbers and bools convert).
fn to_str(v: &Value) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(format_number(*n)),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => err("argument must not be null"),
        _ => err("a string is required"),
    }
}

/// Terraform's conversion of a string to a number: decimal notation only.
fn parse_number(s: &str) -> Option<f64> {
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn to_num(v: &Value) -> Result<f64> {
    match v {
        Value::Number(n) => Ok(*n),
        Value::String(s) => match parse_number(s) {
            Some(n) => Ok(n),
            None => err(format!("cannot convert {s:?} to a number")),
        },
        Value::Null => err("argument must not be null"),
        _ => err("a number is required"),
    }
}

/// A whole number. `Ok(None)` when it is too large to be exact in an f64.
fn to_int(v: &Value) -> Result<Option<i64>> {
    let n = to_num(v)?;
    if !n.is_finite() || n.fract() != 0.0 {
        return err(format!("{} is not a whole number", format_number(n)));
    }
    if n.abs() > MAX_EXACT {
        return Ok(None);
    }
    Ok(Some(n as i64))
}

fn to_bool(v: &Value) -> Result<bool> {
    match v {
        Value::Null => err("argument must not be null"),
        _ => match v.as_bool() {
            Some(b) => Ok(b),
            None => err("a bool is required"),
        },
    }
}

fn to_list(v: &Value) -> Result<&[Value]> {
    match v {
        Value::List(items) => Ok(items),
        Value::Null => err("argument must not be null"),
        _ => err("a list is required"),
    }
}

/// Equality after Terraform's conversion of primitives to a common type.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(_), Value::Number(_) | Value::Bool(_))
        | (Value::Number(_) | Value::Bool(_), Value::String(_)) => a.to_template_string() == b.to_template_string(),
        _ => a == b,
    }
}

/// Calls a Terraform built-in function on evaluated arguments. `try` and `can` are not here
/// (they need lazy evaluation). `module_dir` is the directory of the calling module, for file().
pub fn call(name: &str, args: Vec<Value>, module_dir: &Path) -> Result<Value> {
    let out = dispatch(name, &args, module_dir)?;
    if too_big(&out) {
        return Ok(unknown_of(&args));
    }
    Ok(out)
}

fn too_big(v: &Value) -> bool {
    match v {
        Value::String(s) => s.len() > MAX_STRING,
        Value::List(items) => items.len() > MAX_ITEMS,
        _ => false,
    }
}

fn dispatch(name: &str, args: &[Value], dir: &Path) -> Result<Value> {
    match name {
        // Encoding.
        "jsonencode" => jsonencode(args),
        "jsondecode" => jsondecode(args),
        "base64encode" => base64encode(args),
        "base64decode" => base64decode(args),
        "urlencode" => urlencode(args),
        // Collections.
        "element" => element(args),
        "lookup" => lookup(args),
        "coalesce" => coalesce(args),
        "coalescelist" => coalescelist(args),
        "merge" => merge(args),
        "length" => length(args),
        "concat" => concat(args),
        "flatten" => flatten(args),
        "distinct" => distinct(args),
        "compact" => compact(args),
        "slice" => slice(args),
        "zipmap" => zipmap(args),
        "range" => range(args),
        "keys" => keys(args),
        "values" => values(args),
        "contains" => contains(args),
        "index" => index(args),
        "one" => one(args),
        "reverse" => reverse(args),
        "sort" => sort(args),
        "alltrue" => all_any(args, true),
        "anytrue" => all_any(args, false),
        // Numbers.
        "min" => min_max(args, true),
        "max" => min_max(args, false),
        "sum" => sum(args),
        "abs" => num1(args, "abs", f64::abs),
        "ceil" => num1(args, "ceil", f64::ceil),
        "floor" => num1(args, "floor", f64::floor),
        "signum" => num1(args, "signum", |n| if n == 0.0 { 0.0 } else { n.signum() }),
        "pow" => pow(args),
        // Strings.
        "format" => format(args),
        "formatlist" => formatlist(args),
        "join" => join(args),
        "split" => split(args),
        "lower" => case_map(args, "lower", |c| c.to_lowercase()),
        "upper" => case_map(args, "upper", |c| c.to_uppercase()),
        "title" => title(args),
        "replace" => replace(args),
        "trimspace" => str1(args, "trimspace", |s| Some(s.trim().to_string())),
        "chomp" => str1(args, "chomp", |s| Some(s.trim_end_matches(['\r', '\n']).to_string())),
        "strrev" => str1(args, "strrev", |s| graphemes(s).map(|g| g.into_iter().rev().collect())),
        "trim" => str2(args, "trim", |s, cut| {
            Some(s.trim_matches(|c| cut.contains(c)).to_string())
        }),
        "trimprefix" => str2(args, "trimprefix", |s, p| {
            Some(s.strip_prefix(p).unwrap_or(s).to_string())
        }),
        "trimsuffix" => str2(args, "trimsuffix", |s, p| {
            Some(s.strip_suffix(p).unwrap_or(s).to_string())
        }),
        "startswith" => str_test(args, "startswith", |s, p| s.starts_with(p)),
        "endswith" => str_test(args, "endswith", |s, p| s.ends_with(p)),
        "substr" => substr(args),
        "indent" => indent(args),
        // Conversions.
        "tostring" => tostring(args),
        "tonumber" => tonumber(args),
        "tobool" => tobool(args),
        "tolist" => tolist(args),
        "toset" => toset(args),
        "tomap" => tomap(args),
        "sensitive" | "nonsensitive" => {
            arity(name, args, 1, 1)?;
            Ok(arg(args, 0).clone())
        }
        // Network.
        "cidrsubnet" => cidrsubnet(args),
        "cidrsubnets" => cidrsubnets(args),
        "cidrhost" => cidrhost(args),
        "cidrnetmask" => cidrnetmask(args),
        // Files.
        "file" => file(args, dir),
        "filebase64" => filebase64(args, dir),
        "fileexists" => fileexists(args, dir),
        // Not deterministic, not worth it, or needing a regex engine: unknown, like any
        // function we do not know (providers add their own).
        _ => Ok(unknown_of(args)),
    }
}

// ---------------------------------------------------------------------------------------
// Encoding

fn jsonencode(args: &[Value]) -> Result<Value> {
    arity("jsonencode", args, 1, 1)?;
    let v = arg(args, 0);
    if !v.is_fully_known() {
        // Keep the structure so rules can read a policy or redrive document.
        return Ok(Value::Encoded(Box::new(v.clone())));
    }
    let mut out = String::new();
    write_json(v, &mut out)?;
    Ok(Value::String(out))
}

/// Compact JSON exactly as Terraform prints it: keys sorted, no spaces, Go's escaping.
fn write_json(v: &Value, out: &mut String) -> Result<()> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if !n.is_finite() {
                return err("cannot encode a non-finite number as JSON");
            }
            if *n == 0.0 {
                out.push('0');
            } else {
                // Rust prints f64 without an exponent, like big.Float's Text('f', -1).
                out.push_str(&n.to_string());
            }
        }
        Value::String(s) => json_string(s, out),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out)?;
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(k, out);
                out.push(':');
                write_json(item, out)?;
            }
            out.push('}');
        }
        Value::Unknown(_) | Value::Encoded(_) => return err("cannot encode an unknown value"),
    }
    Ok(())
}

/// Go's `encoding/json` string escaping (HTML-safe), which Terraform uses.
fn json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn jsondecode(args: &[Value]) -> Result<Value> {
    arity("jsondecode", args, 1, 1)?;
    match arg(args, 0) {
        Value::Encoded(inner) => Ok((**inner).clone()),
        v @ Value::Unknown(_) => Ok(v.clone()),
        v => {
            let s = to_str(v)?;
            match serde_json::from_str::<serde_json::Value>(&s) {
                Ok(j) => Ok(Value::from_json(&j)),
                Err(e) => err(format!("jsondecode: invalid JSON: {e}")),
            }
        }
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard padded base64, as Go's `StdEncoding` (which skips line breaks).
fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s.bytes().filter(|b| *b != b'\n' && *b != b'\r').collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    let quads = clean.len() / 4;
    for (qi, quad) in clean.chunks(4).enumerate() {
        let mut n: u32 = 0;
        let mut pad = 0;
        for (i, &c) in quad.iter().enumerate() {
            let d = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                b'/' => 63,
                b'=' if qi + 1 == quads && i >= 2 => {
                    pad += 1;
                    0
                }
                _ => return None,
            };
            if pad > 0 && c != b'=' {
                return None;
            }
            n = (n << 6) | u32::from(d);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(bytes.get(..3 - pad)?);
    }
    Some(out)
}

fn base64encode(args: &[Value]) -> Result<Value> {
    arity("base64encode", args, 1, 1)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    Ok(Value::String(b64_encode(to_str(arg(args, 0))?.as_bytes())))
}

fn base64decode(args: &[Value]) -> Result<Value> {
    arity("base64decode", args, 1, 1)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let bytes = match b64_decode(&to_str(arg(args, 0))?) {
        Some(b) => b,
        None => return err("base64decode: invalid base64"),
    };
    match String::from_utf8(bytes) {
        Ok(s) => Ok(Value::String(s)),
        Err(_) => err("base64decode: the result is not valid UTF-8"),
    }
}

/// Go's `url.QueryEscape`.
fn urlencode(args: &[Value]) -> Result<Value> {
    arity("urlencode", args, 1, 1)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let s = to_str(arg(args, 0))?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::String(out))
}

// ---------------------------------------------------------------------------------------
// Collections

fn element(args: &[Value]) -> Result<Value> {
    arity("element", args, 2, 2)?;
    let (list, idx) = (arg(args, 0), arg(args, 1));
    if !idx.is_fully_known() || list.is_unknown() {
        return Ok(unknown_of(args));
    }
    let items = to_list(list)?;
    let Some(i) = to_int(idx)? else {
        return Ok(unknown_of(args));
    };
    if i < 0 {
        return err("cannot use element function with a negative index");
    }
    if items.is_empty() {
        return err("cannot use element function with an empty list");
    }
    let i = usize::try_from(i).unwrap_or(usize::MAX) % items.len();
    Ok(items.get(i).cloned().unwrap_or_default())
}

fn lookup(args: &[Value]) -> Result<Value> {
    arity("lookup", args, 2, 3)?;
    let (map, key) = (arg(args, 0), arg(args, 1));
    if !key.is_fully_known() || map.is_unknown() {
        return Ok(unknown_of(args));
    }
    let Value::Map(m) = map else {
        return err("lookup: the first argument must be a map");
    };
    let key = to_str(key)?;
    match (m.get(&key), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => err(format!("lookup: no key {key:?} and no default")),
    }
}

fn coalesce(args: &[Value]) -> Result<Value> {
    arity("coalesce", args, 1, usize::MAX)?;
    let wants_string = args.iter().any(|a| matches!(a, Value::String(_) | Value::Encoded(_)));
    for (i, a) in args.iter().enumerate() {
        match a {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            // It might be null or empty: the answer is this or a later argument.
            Value::Unknown(_) => return Ok(unknown_of(args.get(i..).unwrap_or_default())),
            Value::Number(_) | Value::Bool(_) if wants_string => return Ok(Value::String(to_str(a)?)),
            other => return Ok(other.clone()),
        }
    }
    err("coalesce: no non-null, non-empty-string arguments")
}

fn coalescelist(args: &[Value]) -> Result<Value> {
    arity("coalescelist", args, 1, usize::MAX)?;
    for (i, a) in args.iter().enumerate() {
        match a {
            Value::Null => {}
            Value::List(items) if items.is_empty() => {}
            Value::List(_) => return Ok(a.clone()),
            Value::Unknown(_) => return Ok(unknown_of(args.get(i..).unwrap_or_default())),
            _ => return err("coalescelist: arguments must be lists"),
        }
    }
    err("coalescelist: no non-empty list arguments")
}

/// Keys of known maps are kept even when values are unknown; a wholly unknown map
/// could add or override any key, so it makes the result unknown.
fn merge(args: &[Value]) -> Result<Value> {
    let mut out = BTreeMap::new();
    for a in args {
        match a {
            Value::Null => {}
            Value::Map(m) => out.extend(m.iter().map(|(k, v)| (k.clone(), v.clone()))),
            Value::Unknown(_) => return Ok(unknown_of(args)),
            _ => return err("merge: arguments must be maps or objects"),
        }
    }
    Ok(Value::Map(out))
}

fn length(args: &[Value]) -> Result<Value> {
    arity("length", args, 1, 1)?;
    let n = match arg(args, 0) {
        Value::List(items) => items.len(),
        Value::Map(m) => m.len(),
        Value::String(s) => match graphemes(s) {
            Some(g) => g.len(),
            None => return Ok(unknown_of(args)),
        },
        Value::Unknown(_) | Value::Encoded(_) => return Ok(unknown_of(args)),
        Value::Null => return err("length: argument must not be null"),
        _ => return err("length: argument must be a string, a collection or an object"),
    };
    Ok(Value::Number(n as f64))
}

/// A wholly unknown argument could be a list of any length, so it makes the result unknown;
/// unknown elements of known lists are kept in place.
fn concat(args: &[Value]) -> Result<Value> {
    let mut out = Vec::new();
    for a in args {
        match a {
            Value::List(items) => {
                if out.len().saturating_add(items.len()) > MAX_ITEMS {
                    return Ok(unknown_of(args));
                }
                out.extend(items.iter().cloned());
            }
            Value::Unknown(_) => return Ok(unknown_of(args)),
            Value::Null => return err("concat: argument must not be null"),
            _ => return err("concat: arguments must be lists"),
        }
    }
    Ok(Value::List(out))
}

fn flatten(args: &[Value]) -> Result<Value> {
    arity("flatten", args, 1, 1)?;
    let list = arg(args, 0);
    if list.is_unknown() {
        return Ok(unknown_of(args));
    }
    let mut out = Vec::new();
    // Without types, a wholly unknown element might be a list to flatten (Terraform
    // returns unknown for an unknown of unknown type too).
    if !flatten_into(to_list(list)?, &mut out) {
        return Ok(unknown_of(args));
    }
    Ok(Value::List(out))
}

fn flatten_into(items: &[Value], out: &mut Vec<Value>) -> bool {
    for item in items {
        match item {
            Value::List(inner) => {
                if !flatten_into(inner, out) {
                    return false;
                }
            }
            Value::Unknown(_) => return false,
            other => {
                if out.len() >= MAX_ITEMS {
                    return false;
                }
                out.push(other.clone());
            }
        }
    }
    true
}

/// Known duplicates are removed; elements with unknown parts are kept as they are.
fn distinct(args: &[Value]) -> Result<Value> {
    arity("distinct", args, 1, 1)?;
    let list = arg(args, 0);
    if list.is_unknown() {
        return Ok(unknown_of(args));
    }
    Ok(Value::List(dedup(to_list(list)?)))
}

fn dedup(items: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !item.is_fully_known() || !out.iter().any(|o| o.is_fully_known() && same(o, item)) {
            out.push(item.clone());
        }
    }
    out
}

/// Drops nulls and empty strings; unknown elements are kept (they are usually set).
fn compact(args: &[Value]) -> Result<Value> {
    arity("compact", args, 1, 1)?;
    let list = arg(args, 0);
    if list.is_unknown() {
        return Ok(unknown_of(args));
    }
    let mut out = Vec::new();
    for item in to_list(list)? {
        match item {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            Value::String(_) | Value::Unknown(_) | Value::Encoded(_) => out.push(item.clone()),
            Value::Number(_) | Value::Bool(_) => out.push(Value::String(to_str(item)?)),
            _ => return err("compact: elements must be strings"),
        }
    }
    Ok(Value::List(out))
}

fn slice(args: &[Value]) -> Result<Value> {
    arity("slice", args, 3, 3)?;
    let list = arg(args, 0);
    if list.is_unknown() || !arg(args, 1).is_fully_known() || !arg(args, 2).is_fully_known() {
        return Ok(unknown_of(args));
    }
    let items = to_list(list)?;
    let (Some(start), Some(end)) = (to_int(arg(args, 1))?, to_int(arg(args, 2))?) else {
        return err("slice: index out of range");
    };
    let len = items.len() as i64;
    if start < 0 || end > len || start > end {
        return err(format!("slice: invalid range {start}..{end} of a list of {len}"));
    }
    let range = usize::try_from(start).unwrap_or(0)..usize::try_from(end).unwrap_or(0);
    Ok(Value::List(items.get(range).unwrap_or_default().to_vec()))
}

fn zipmap(args: &[Value]) -> Result<Value> {
    arity("zipmap", args, 2, 2)?;
    let (keys, vals) = (arg(args, 0), arg(args, 1));
    if !keys.is_fully_known() || vals.is_unknown() {
        return Ok(unknown_of(args));
    }
    let (keys, vals) = (to_list(keys)?, to_list(vals)?);
    if keys.len() != vals.len() {
        return err(format!("zipmap: {} keys but {} values", keys.len(), vals.len()));
    }
    let mut out = BTreeMap::new();
    for (k, v) in keys.iter().zip(vals) {
        out.insert(to_str(k)?, v.clone());
    }
    Ok(Value::Map(out))
}

fn range(args: &[Value]) -> Result<Value> {
    arity("range", args, 1, 3)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let nums = args.iter().map(to_num).collect::<Result<Vec<f64>>>()?;
    let (start, limit, step) = match nums.as_slice() {
        [limit] => (0.0, *limit, 1.0),
        [start, limit] => (*start, *limit, if limit >= start { 1.0 } else { -1.0 }),
        [start, limit, step] => (*start, *limit, *step),
        _ => return err("range: expected 1 to 3 arguments"),
    };
    if step == 0.0 {
        return err("range: step must not be zero");
    }
    if step < 0.0 && limit > start {
        return err("range: for a descending range, the limit must be less than the start");
    }
    if step > 0.0 && limit < start {
        return err("range: for an ascending range, the limit must be greater than the start");
    }
    let mut out = Vec::new();
    loop {
        let v = start + step * out.len() as f64;
        if (step > 0.0 && v >= limit) || (step < 0.0 && v <= limit) {
            break;
        }
        if out.len() >= MAX_RANGE {
            return err("range: more than 1024 values were generated");
        }
        out.push(Value::Number(v));
    }
    Ok(Value::List(out))
}

fn keys(args: &[Value]) -> Result<Value> {
    arity("keys", args, 1, 1)?;
    match arg(args, 0) {
        Value::Map(m) => Ok(Value::List(m.keys().map(|k| Value::String(k.clone())).collect())),
        Value::Unknown(_) => Ok(unknown_of(args)),
        _ => err("keys: argument must be a map or object"),
    }
}

fn values(args: &[Value]) -> Result<Value> {
    arity("values", args, 1, 1)?;
    match arg(args, 0) {
        Value::Map(m) => Ok(Value::List(m.values().cloned().collect())),
        Value::Unknown(_) => Ok(unknown_of(args)),
        _ => err("values: argument must be a map or object"),
    }
}

/// True as soon as a known element matches, even if others are unknown.
fn contains(args: &[Value]) -> Result<Value> {
    arity("contains", args, 2, 2)?;
    let (list, value) = (arg(args, 0), arg(args, 1));
    if list.is_unknown() || !value.is_fully_known() {
        return Ok(unknown_of(args));
    }
    let items = to_list(list)?;
    if items.iter().any(|i| i.is_fully_known() && same(i, value)) {
        return Ok(Value::Bool(true));
    }
    if items.iter().any(|i| !i.is_fully_known()) {
        return Ok(unknown_of(args));
    }
    Ok(Value::Bool(false))
}

fn index(args: &[Value]) -> Result<Value> {
    arity("index", args, 2, 2)?;
    let (list, value) = (arg(args, 0), arg(args, 1));
    if list.is_unknown() || !value.is_fully_known() {
        return Ok(unknown_of(args));
    }
    for (i, item) in to_list(list)?.iter().enumerate() {
        if !item.is_fully_known() {
            return Ok(unknown_of(args));
        }
        if same(item, value) {
            return Ok(Value::Number(i as f64));
        }
    }
    err("index: item not found")
}

fn one(args: &[Value]) -> Result<Value> {
    arity("one", args, 1, 1)?;
    match arg(args, 0) {
        Value::Unknown(_) => Ok(unknown_of(args)),
        Value::List(items) => match items.as_slice() {
            [] => Ok(Value::Null),
            [only] => Ok(only.clone()),
            _ => err(format!(
                "one: must be a list of zero or one elements, got {}",
                items.len()
            )),
        },
        Value::Null => err("one: argument must not be null"),
        _ => err("one: argument must be a list"),
    }
}

fn reverse(args: &[Value]) -> Result<Value> {
    arity("reverse", args, 1, 1)?;
    match arg(args, 0) {
        Value::Unknown(_) => Ok(unknown_of(args)),
        v => Ok(Value::List(to_list(v)?.iter().rev().cloned().collect())),
    }
}

fn sort(args: &[Value]) -> Result<Value> {
    arity("sort", args, 1, 1)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let mut strings = to_list(arg(args, 0))?
        .iter()
        .map(to_str)
        .collect::<Result<Vec<String>>>()?;
    strings.sort();
    Ok(Value::List(strings.into_iter().map(Value::String).collect()))
}

fn all_any(args: &[Value], all: bool) -> Result<Value> {
    arity(if all { "alltrue" } else { "anytrue" }, args, 1, 1)?;
    let list = arg(args, 0);
    if list.is_unknown() {
        return Ok(unknown_of(args));
    }
    let mut unknown = false;
    for item in to_list(list)? {
        if !item.is_fully_known() {
            unknown = true;
            continue;
        }
        // A decisive known element settles it whatever the unknown ones are.
        if to_bool(item)? != all {
            return Ok(Value::Bool(!all));
        }
    }
    Ok(if unknown { unknown_of(args) } else { Value::Bool(all) })
}

// ---------------------------------------------------------------------------------------
// Numbers

fn number(n: f64) -> Result<Value> {
    if n.is_finite() {
        Ok(Value::Number(n))
    } else {
        err("the result is not a finite number")
    }
}

fn min_max(args: &[Value], min: bool) -> Result<Value> {
    arity(if min { "min" } else { "max" }, args, 1, usize::MAX)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let mut best: Option<f64> = None;
    for a in args {
        let n = to_num(a)?;
        best = Some(match best {
            Some(b) if (min && b <= n) || (!min && b >= n) => b,
            _ => n,
        });
    }
    number(best.unwrap_or_default())
}

fn sum(args: &[Value]) -> Result<Value> {
    arity("sum", args, 1, 1)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let items = to_list(arg(args, 0))?;
    if items.is_empty() {
        return err("sum: cannot sum an empty list");
    }
    let mut total = 0.0;
    for item in items {
        total += to_num(item)?;
    }
    number(total)
}

fn num1(args: &[Value], name: &str, f: fn(f64) -> f64) -> Result<Value> {
    arity(name, args, 1, 1)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    number(f(to_num(arg(args, 0))?))
}

fn pow(args: &[Value]) -> Result<Value> {
    arity("pow", args, 2, 2)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    number(to_num(arg(args, 0))?.powf(to_num(arg(args, 1))?))
}

// ---------------------------------------------------------------------------------------
// Strings

fn str1(args: &[Value], name: &str, f: impl Fn(&str) -> Option<String>) -> Result<Value> {
    arity(name, args, 1, 1)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    Ok(f(&to_str(arg(args, 0))?).map_or_else(|| unknown_of(args), Value::String))
}

fn str2(args: &[Value], name: &str, f: impl Fn(&str, &str) -> Option<String>) -> Result<Value> {
    arity(name, args, 2, 2)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    Ok(f(&to_str(arg(args, 0))?, &to_str(arg(args, 1))?).map_or_else(|| unknown_of(args), Value::String))
}

fn str_test(args: &[Value], name: &str, f: fn(&str, &str) -> bool) -> Result<Value> {
    arity(name, args, 2, 2)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    Ok(Value::Bool(f(&to_str(arg(args, 0))?, &to_str(arg(args, 1))?)))
}

/// Go maps case one code point at a time; where Rust's mapping differs (a character
/// becoming several) the result is unknown rather than different.
fn case_map<I: Iterator<Item = char> + ExactSizeIterator>(
    args: &[Value],
    name: &str,
    f: fn(char) -> I,
) -> Result<Value> {
    str1(args, name, |s| {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            let mut mapped = f(c);
            if mapped.len() != 1 {
                return None;
            }
            out.push(mapped.next()?);
        }
        Some(out)
    })
}

/// Go's `strings.Title`: upper-cases the first letter of each word.
fn title(args: &[Value]) -> Result<Value> {
    str1(args, "title", |s| {
        let mut out = String::with_capacity(s.len());
        let mut prev = ' ';
        for c in s.chars() {
            if is_title_separator(prev) {
                let mut up = c.to_uppercase();
                if up.len() != 1 {
                    return None;
                }
                out.push(up.next()?);
            } else {
                out.push(c);
            }
            prev = c;
        }
        Some(out)
    })
}

fn is_title_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphanumeric() {
        return false;
    }
    c.is_whitespace()
}

/// A `/pattern/` is a regular expression: handled only when it is a plain literal.
fn replace(args: &[Value]) -> Result<Value> {
    arity("replace", args, 3, 3)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let (s, mut sub, rep) = (to_str(arg(args, 0))?, to_str(arg(args, 1))?, to_str(arg(args, 2))?);
    if sub.len() > 1 && sub.starts_with('/') && sub.ends_with('/') {
        let inner = sub.get(1..sub.len() - 1).unwrap_or_default();
        let meta = |c: char| "\\.+*?()|[]{}^$".contains(c);
        if inner.is_empty() || inner.contains(meta) || rep.contains('$') {
            return Ok(unknown_of(args));
        }
        sub = inner.to_string();
    }
    let count = if sub.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(sub.as_str()).count()
    };
    if s.len().saturating_add(count.saturating_mul(rep.len())) > MAX_STRING {
        return Ok(unknown_of(args));
    }
    Ok(Value::String(s.replace(sub.as_str(), &rep)))
}

fn split(args: &[Value]) -> Result<Value> {
    arity("split", args, 2, 2)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let (sep, s) = (to_str(arg(args, 0))?, to_str(arg(args, 1))?);
    let parts: Vec<Value> = if sep.is_empty() {
        // Go splits into code points.
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str()).map(|p| Value::String(p.to_string())).collect()
    };
    Ok(Value::List(parts))
}

fn join(args: &[Value]) -> Result<Value> {
    arity("join", args, 2, usize::MAX)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let sep = to_str(arg(args, 0))?;
    let mut parts = Vec::new();
    let mut size = 0usize;
    for list in args.get(1..).unwrap_or_default() {
        for item in to_list(list)? {
            let s = to_str(item)?;
            size = size.saturating_add(s.len()).saturating_add(sep.len());
            if size > MAX_STRING {
                return Ok(unknown_of(args));
            }
            parts.push(s);
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

fn substr(args: &[Value]) -> Result<Value> {
    arity("substr", args, 3, 3)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let s = to_str(arg(args, 0))?;
    let (Some(offset), Some(len)) = (to_int(arg(args, 1))?, to_int(arg(args, 2))?) else {
        return Ok(unknown_of(args));
    };
    let Some(g) = graphemes(&s) else {
        return Ok(unknown_of(args));
    };
    let total = g.len() as i64;
    // As go-cty: a negative offset counts from the end (clamped at the start), an
    // offset past the end gives "", a negative length takes the rest.
    let start = if offset < 0 {
        offset.saturating_add(total).max(0)
    } else {
        offset.min(total)
    };
    let end = if len < 0 {
        total
    } else {
        start.saturating_add(len).min(total)
    };
    let range = usize::try_from(start).unwrap_or(0)..usize::try_from(end).unwrap_or(0);
    Ok(Value::String(g.get(range).unwrap_or_default().concat()))
}

fn indent(args: &[Value]) -> Result<Value> {
    arity("indent", args, 2, 2)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let Some(n) = to_int(arg(args, 0))? else {
        return Ok(unknown_of(args));
    };
    let n = usize::try_from(n).unwrap_or(0);
    if n > MAX_WIDTH {
        return Ok(unknown_of(args));
    }
    let s = to_str(arg(args, 1))?;
    Ok(Value::String(s.replace('\n', &format!("\n{}", " ".repeat(n)))))
}

fn format(args: &[Value]) -> Result<Value> {
    arity("format", args, 1, usize::MAX)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let fmt = to_str(arg(args, 0))?;
    match format_str(&fmt, args.get(1..).unwrap_or_default())? {
        Some(s) => Ok(Value::String(s)),
        None => Ok(unknown_of(args)),
    }
}

/// As go-cty: list arguments are iterated together (same length), others repeat;
/// an iteration with unknown arguments gives an unknown element.
fn formatlist(args: &[Value]) -> Result<Value> {
    arity("formatlist", args, 1, usize::MAX)?;
    let fmt_val = arg(args, 0);
    if !fmt_val.is_fully_known() {
        return Ok(unknown_of(args));
    }
    let fmt = to_str(fmt_val)?;
    let rest = args.get(1..).unwrap_or_default();
    let mut len: Option<usize> = None;
    for (i, a) in rest.iter().enumerate() {
        match a {
            // Might be a list: the number of results is unknown.
            Value::Unknown(_) => return Ok(unknown_of(args)),
            Value::List(items) => match len {
                None => len = Some(items.len()),
                Some(n) if n != items.len() => {
                    return err(format!(
                        "formatlist: argument {} has length {}, expected {n}",
                        i + 2,
                        items.len()
                    ));
                }
                Some(_) => {}
            },
            _ => {}
        }
    }
    let mut out = Vec::new();
    for k in 0..len.unwrap_or(1) {
        let iter_args: Vec<Value> = rest
            .iter()
            .map(|a| match a {
                Value::List(items) => items.get(k).cloned().unwrap_or_default(),
                other => other.clone(),
            })
            .collect();
        if let Some(u) = gate(&iter_args) {
            out.push(u);
            continue;
        }
        match format_str(&fmt, &iter_args)? {
            Some(s) => out.push(Value::String(s)),
            None => out.push(unknown_of(&iter_args)),
        }
    }
    Ok(Value::List(out))
}

#[derive(Default)]
struct Verb {
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
    /// 1-based argument number.
    arg: usize,
    mode: char,
}

/// go-cty's `format`. `Ok(None)` when a verb needs formatting we do not reproduce exactly.
fn format_str(fmt: &str, args: &[Value]) -> Result<Option<String>> {
    let mut out = String::new();
    let mut chars = fmt.char_indices().peekable();
    let mut next_arg = 1usize;
    let mut highest = 0usize;
    let mut exact = true;
    while let Some((offset, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.next_if(|(_, c)| *c == '%').is_some() {
            out.push('%');
            continue;
        }
        let mut verb = Verb {
            arg: next_arg,
            ..Verb::default()
        };
        while let Some((_, c)) = chars.next_if(|(_, c)| matches!(c, '0' | '#' | '-' | '+' | ' ')) {
            match c {
                '0' => verb.zero = true,
                '#' => verb.sharp = true,
                '-' => verb.minus = true,
                '+' => verb.plus = true,
                _ => verb.space = true,
            }
        }
        if chars.peek().is_some_and(|(_, c)| matches!(c, '1'..='9')) {
            verb.width = Some(read_digits(&mut chars));
        }
        if chars.next_if(|(_, c)| *c == '.').is_some() {
            verb.prec = Some(read_digits(&mut chars));
        }
        if chars.next_if(|(_, c)| *c == '[').is_some() {
            if !chars.peek().is_some_and(|(_, c)| matches!(c, '1'..='9')) {
                return err(format!("format: invalid argument index at offset {offset}"));
            }
            verb.arg = read_digits(&mut chars);
            if chars.next_if(|(_, c)| *c == ']').is_none() {
                return err(format!("format: invalid argument index at offset {offset}"));
            }
        }
        match chars.next() {
            Some((_, m)) if m.is_ascii_alphabetic() => verb.mode = m,
            Some((at, m)) => return err(format!("format: unrecognized format character {m:?} at offset {at}")),
            None => return err(format!("format: invalid format string starting at offset {offset}")),
        }
        highest = highest.max(verb.arg);
        next_arg = verb.arg.saturating_add(1);
        let Some(a) = verb.arg.checked_sub(1).and_then(|i| args.get(i)) else {
            return err(format!("format: not enough arguments, need argument {}", verb.arg));
        };
        if verb.width.is_some_and(|w| w > MAX_WIDTH) || verb.prec.is_some_and(|p| p > MAX_WIDTH) {
            exact = false;
            continue;
        }
        match format_verb(&verb, a)? {
            Some(s) => out.push_str(&s),
            None => exact = false,
        }
    }
    if highest < args.len() {
        return err(format!(
            "format: too many arguments; only {highest} used by the format string"
        ));
    }
    Ok(exact.then_some(out))
}

fn read_digits(chars: &mut std::iter::Peekable<std::str::CharIndices>) -> usize {
    let mut n = 0usize;
    while let Some((_, d)) = chars.next_if(|(_, c)| c.is_ascii_digit()) {
        n = n
            .saturating_mul(10)
            .saturating_add(d.to_digit(10).unwrap_or(0) as usize);
    }
    n
}

fn format_verb(verb: &Verb, a: &Value) -> Result<Option<String>> {
    if verb.mode != 'v' && a.is_null() {
        return err(format!("format: null value cannot be formatted with %{}", verb.mode));
    }
    match verb.mode {
        'v' => {
            let s = match a {
                Value::String(s) if !verb.sharp => s.clone(),
                Value::Number(n) if !verb.sharp => go_shortest_g(*n),
                _ => {
                    let mut s = String::new();
                    write_json(a, &mut s)?;
                    s
                }
            };
            Ok(pad(verb, s))
        }
        't' => Ok(Some(to_bool(a)?.to_string())),
        'b' | 'd' | 'o' | 'x' | 'X' => format_int(verb, to_num(a)?),
        'f' => Ok(format_float(verb, to_num(a)?)),
        // Go's %e and %g on big floats: not reproduced.
        'e' | 'E' | 'g' | 'G' => {
            to_num(a)?;
            Ok(None)
        }
        's' | 'q' => {
            let mut s = to_str(a)?;
            if let Some(p) = verb.prec.filter(|p| *p > 0) {
                let Some(g) = graphemes(&s) else { return Ok(None) };
                s = g.get(..p.min(g.len())).unwrap_or_default().concat();
            }
            if verb.mode == 'q' {
                let mut q = String::new();
                json_string(&s, &mut q);
                s = q;
            }
            Ok(pad(verb, s))
        }
        m => err(format!("format: unsupported format verb %{m}")),
    }
}

/// go-cty's width padding, counted in grapheme clusters.
fn pad(verb: &Verb, s: String) -> Option<String> {
    let Some(width) = verb.width else { return Some(s) };
    let have = graphemes(&s)?.len();
    if have >= width {
        return Some(s);
    }
    let pads = (if verb.zero { "0" } else { " " }).repeat(width - have);
    Some(if verb.minus { s + &pads } else { pads + &s })
}

/// Go's `big.Int` formatting (which go-cty uses for integer verbs).
fn format_int(verb: &Verb, n: f64) -> Result<Option<String>> {
    if !n.is_finite() || n.fract() != 0.0 {
        return err(format!("format: an integer is required for %{}", verb.mode));
    }
    if n.abs() > MAX_EXACT {
        return Ok(None);
    }
    let abs = n.abs() as u64;
    let sign = if n < 0.0 {
        "-"
    } else if verb.plus {
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    };
    let (digits, prefix) = match verb.mode {
        'b' => (format!("{abs:b}"), "0b"),
        'o' => (format!("{abs:o}"), "0"),
        'x' => (format!("{abs:x}"), "0x"),
        'X' => (format!("{abs:X}"), "0X"),
        _ => (abs.to_string(), ""),
    };
    let prefix = if verb.sharp { prefix } else { "" };
    let mut zeros = 0;
    if let Some(p) = verb.prec {
        if digits.len() < p {
            zeros = p - digits.len();
        } else if abs == 0 && p == 0 {
            return Ok(Some(String::new()));
        }
    }
    let len = sign.len() + prefix.len() + zeros + digits.len();
    let (mut left, mut right) = (0, 0);
    if let Some(w) = verb.width.filter(|w| *w > len) {
        let d = w - len;
        if verb.minus {
            right = d;
        } else if verb.zero && verb.prec.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    Ok(Some(format!(
        "{}{sign}{prefix}{}{digits}{}",
        " ".repeat(left),
        "0".repeat(zeros),
        " ".repeat(right)
    )))
}

/// Go's `big.Float` `%f`. Rounding is of the f64, which may differ from Terraform's
/// arbitrary-precision numbers only on exact decimal ties.
fn format_float(verb: &Verb, n: f64) -> Option<String> {
    if !n.is_finite() {
        return None;
    }
    let prec = verb.prec.unwrap_or(6);
    let body = format!("{:.*}", prec, n.abs());
    // big.Float keeps the sign of the number even when it rounds to zero.
    let sign = if n < 0.0 {
        "-"
    } else if verb.plus {
        "+"
    } else if verb.space {
        " "
    } else {
        ""
    };
    let padding = verb.width.map_or(0, |w| w.saturating_sub(sign.len() + body.len()));
    Some(if verb.zero {
        format!("{sign}{}{body}", "0".repeat(padding))
    } else if verb.minus {
        format!("{sign}{body}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{body}", " ".repeat(padding))
    })
}

/// Go's `%g` with shortest precision (`big.Float.Text('g', -1)`): `%v` of a number.
fn go_shortest_g(n: f64) -> String {
    if n == 0.0 {
        return "0".to_string();
    }
    let sci = format!("{:e}", n.abs());
    let (mant, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if n < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{mant}e{esign}{:02}", exp.unsigned_abs());
    }
    format!("{sign}{}", n.abs())
}

/// Splits into grapheme clusters, which Terraform counts as characters. A simplified
/// segmentation (combining marks, variation selectors, ZWJ sequences, flags, CRLF);
/// `None` for scripts whose clusters it would get wrong.
fn graphemes(s: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<char> = None;
    let mut regional = 0usize;
    for (i, c) in s.char_indices() {
        if complex_script(c) {
            return None;
        }
        let join = match prev {
            None => false,
            Some(p) => {
                (p == '\r' && c == '\n')
                    || (is_extend(c) && p != '\r' && p != '\n')
                    || p == '\u{200D}'
                    || (is_regional(p) && is_regional(c) && regional % 2 == 1)
            }
        };
        if !join && i > start {
            out.push(s.get(start..i)?);
            start = i;
            regional = 0;
        }
        if is_regional(c) {
            regional += 1;
        }
        prev = Some(c);
    }
    if start < s.len() {
        out.push(s.get(start..)?);
    }
    Some(out)
}

fn is_extend(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200C | 0x200D
        | 0x20D0..=0x20FF | 0x3099..=0x309A | 0xFE00..=0xFE0F | 0xFE20..=0xFE2F
        | 0x1F3FB..=0x1F3FF | 0xE0020..=0xE007F | 0xE0100..=0xE01EF)
}

fn is_regional(c: char) -> bool {
    matches!(c as u32, 0x1F1E6..=0x1F1FF)
}

/// Scripts with marks, conjuncts or jamo sequences that the simplified segmentation misses.
fn complex_script(c: char) -> bool {
    matches!(c as u32,
        0x0591..=0x05C7 | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED
        | 0x0700..=0x08FF | 0x0900..=0x0DFF | 0x0E00..=0x0FFF | 0x1000..=0x109F | 0x1100..=0x11FF
        | 0x1700..=0x18AF | 0x1900..=0x1AAF | 0x1B00..=0x1CFF | 0xA800..=0xABFF | 0xD7B0..=0xD7FF
        | 0x10A00..=0x11FFF | 0x16F00..=0x16F9F | 0x1D165..=0x1D1AD)
}

// ---------------------------------------------------------------------------------------
// Conversions

fn tostring(args: &[Value]) -> Result<Value> {
    arity("tostring", args, 1, 1)?;
    match arg(args, 0) {
        v @ (Value::Null | Value::String(_) | Value::Encoded(_)) => Ok(v.clone()),
        Value::Unknown(_) => Ok(unknown_of(args)),
        v @ (Value::Number(_) | Value::Bool(_)) => Ok(Value::String(to_str(v)?)),
        _ => err("tostring: cannot convert a collection to a string"),
    }
}

fn tonumber(args: &[Value]) -> Result<Value> {
    arity("tonumber", args, 1, 1)?;
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Unknown(_) | Value::Encoded(_) => Ok(unknown_of(args)),
        v => Ok(Value::Number(to_num(v)?)),
    }
}

fn tobool(args: &[Value]) -> Result<Value> {
    arity("tobool", args, 1, 1)?;
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Unknown(_) | Value::Encoded(_) => Ok(unknown_of(args)),
        v => Ok(Value::Bool(to_bool(v)?)),
    }
}

/// Terraform unifies mixed primitive elements to strings.
fn unify(items: impl Iterator<Item = Value> + Clone) -> Result<Vec<Value>> {
    let has_string = items.clone().any(|v| matches!(v, Value::String(_)));
    let has_other = items.clone().any(|v| matches!(v, Value::Number(_) | Value::Bool(_)));
    if has_string && has_other {
        return items
            .map(|v| match v {
                Value::Number(_) | Value::Bool(_) => to_str(&v).map(Value::String),
                other => Ok(other),
            })
            .collect();
    }
    Ok(items.collect())
}

fn tolist(args: &[Value]) -> Result<Value> {
    arity("tolist", args, 1, 1)?;
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Unknown(_) => Ok(unknown_of(args)),
        Value::List(items) => Ok(Value::List(unify(items.iter().cloned())?)),
        _ => err("tolist: cannot convert to a list"),
    }
}

/// Sets hold distinct elements; sets of strings or numbers iterate in sorted order.
fn toset(args: &[Value]) -> Result<Value> {
    arity("toset", args, 1, 1)?;
    let items = match arg(args, 0) {
        Value::Null => return Ok(Value::Null),
        Value::Unknown(_) => return Ok(unknown_of(args)),
        Value::List(items) => unify(items.iter().cloned())?,
        _ => return err("toset: cannot convert to a set"),
    };
    let mut items = dedup(&items);
    if items.iter().all(|v| matches!(v, Value::String(_))) {
        items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    } else if items.iter().all(|v| matches!(v, Value::Number(_))) {
        items.sort_by(|a, b| a.as_f64().partial_cmp(&b.as_f64()).unwrap_or(std::cmp::Ordering::Equal));
    }
    Ok(Value::List(items))
}

fn tomap(args: &[Value]) -> Result<Value> {
    arity("tomap", args, 1, 1)?;
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Unknown(_) => Ok(unknown_of(args)),
        Value::Map(m) => {
            let vals = unify(m.values().cloned())?;
            Ok(Value::Map(m.keys().cloned().zip(vals).collect()))
        }
        _ => err("tomap: cannot convert to a map"),
    }
}

// ---------------------------------------------------------------------------------------
// Network

/// A parsed CIDR prefix: network address (host bits cleared), prefix length, and
/// whether it is IPv6.
#[derive(Clone, Copy)]
struct Cidr {
    addr: u128,
    len: u32,
    v6: bool,
}

impl Cidr {
    fn bits(self) -> u32 {
        if self.v6 { 128 } else { 32 }
    }

    fn host_mask(self, len: u32) -> u128 {
        shl(1, self.bits().saturating_sub(len)).wrapping_sub(1)
    }

    fn space_mask(self) -> u128 {
        if self.v6 { u128::MAX } else { u128::from(u32::MAX) }
    }

    fn net_mask(self, len: u32) -> u128 {
        self.space_mask() & !self.host_mask(len)
    }
}

fn shl(x: u128, n: u32) -> u128 {
    x.checked_shl(n).unwrap_or(0)
}

/// Go's `net.ParseCIDR`: the host bits may be set, they are masked off.
fn parse_cidr(s: &str) -> Result<Cidr> {
    let bad = || err(format!("invalid CIDR address {s:?}"));
    let Some((ip, len)) = s.split_once('/') else {
        return bad();
    };
    if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
        return bad();
    }
    let len: u32 = len.parse().unwrap_or(u32::MAX);
    let (addr, v6) = if let Ok(v4) = ip.parse::<Ipv4Addr>() {
        (u128::from(u32::from(v4)), false)
    } else if let Ok(v6) = ip.parse::<Ipv6Addr>() {
        (u128::from(v6), true)
    } else {
        return bad();
    };
    let mut c = Cidr { addr, len, v6 };
    if len > c.bits() {
        return bad();
    }
    c.addr &= c.net_mask(len);
    Ok(c)
}

/// Text of an address. `None` for IPv4-mapped IPv6, which Go prints differently.
fn ip_string(c: Cidr, addr: u128) -> Option<String> {
    if c.v6 {
        let ip = Ipv6Addr::from(addr);
        if ip.to_ipv4_mapped().is_some() {
            return None;
        }
        Some(ip.to_string())
    } else {
        Some(Ipv4Addr::from(u32::try_from(addr).ok()?).to_string())
    }
}

fn cidr_result(args: &[Value], c: Cidr, addr: u128, len: Option<u32>) -> Value {
    match (ip_string(c, addr), len) {
        (Some(ip), Some(len)) => Value::String(format!("{ip}/{len}")),
        (Some(ip), None) => Value::String(ip),
        (None, _) => unknown_of(args),
    }
}

fn cidrsubnet(args: &[Value]) -> Result<Value> {
    arity("cidrsubnet", args, 3, 3)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let c = parse_cidr(&to_str(arg(args, 0))?)?;
    let (Some(newbits), Some(netnum)) = (to_int(arg(args, 1))?, to_int(arg(args, 2))?) else {
        return Ok(unknown_of(args));
    };
    if newbits < 0 {
        return err("cidrsubnet: newbits must not be negative");
    }
    let newlen = u32::try_from(newbits).unwrap_or(u32::MAX).saturating_add(c.len);
    if newlen > c.bits() {
        return err(format!(
            "cidrsubnet: insufficient address space to extend prefix of {} by {newbits}",
            c.len
        ));
    }
    let Ok(netnum) = u128::try_from(netnum) else {
        return err("cidrsubnet: netnum must not be negative");
    };
    if netnum > c.host_mask(c.bits() - (newlen - c.len)) {
        return err(format!(
            "cidrsubnet: prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        ));
    }
    let addr = c.addr | shl(netnum, c.bits() - newlen);
    Ok(cidr_result(args, c, addr, Some(newlen)))
}

/// go-cidr's consecutive allocation: each subnet follows the previous one, aligned.
fn cidrsubnets(args: &[Value]) -> Result<Value> {
    arity("cidrsubnets", args, 1, usize::MAX)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let c = parse_cidr(&to_str(arg(args, 0))?)?;
    let space = c.space_mask();
    // The block of the parent's size just before the parent.
    let (mut cur, mut cur_len) = (c.addr.wrapping_sub(1) & space & c.net_mask(c.len), c.len);
    let mut out = Vec::new();
    for a in args.get(1..).unwrap_or_default() {
        let Some(newbits) = to_int(a)? else {
            return Ok(unknown_of(args));
        };
        if newbits < 1 {
            return err("cidrsubnets: must extend prefix by at least one bit");
        }
        let len = u32::try_from(newbits).unwrap_or(u32::MAX).saturating_add(c.len);
        if len > c.bits() {
            return err(format!(
                "cidrsubnets: would extend prefix to {len} bits, which is too long"
            ));
        }
        let last = cur | c.host_mask(cur_len);
        let last_of_aligned = (last & c.net_mask(len)) | c.host_mask(len);
        let next_first = last_of_aligned.wrapping_add(1) & space;
        let next = next_first & c.net_mask(len);
        if next_first == 0 || next & c.net_mask(c.len) != c.addr {
            return err(format!(
                "cidrsubnets: not enough remaining address space for a subnet with a prefix of {len} bits"
            ));
        }
        (cur, cur_len) = (next, len);
        out.push(cidr_result(args, c, next, Some(len)));
    }
    Ok(Value::List(out))
}

fn cidrhost(args: &[Value]) -> Result<Value> {
    arity("cidrhost", args, 2, 2)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let c = parse_cidr(&to_str(arg(args, 0))?)?;
    let Some(hostnum) = to_int(arg(args, 1))? else {
        return Ok(unknown_of(args));
    };
    let max = c.host_mask(c.len);
    // Negative numbers count back from the last address.
    let num = if hostnum < 0 {
        let back = u128::from(hostnum.unsigned_abs()) - 1;
        if back > max {
            return err(format!(
                "cidrhost: prefix of {} does not accommodate a host numbered {hostnum}",
                c.len
            ));
        }
        max - back
    } else {
        u128::from(hostnum.unsigned_abs())
    };
    if num > max {
        return err(format!(
            "cidrhost: prefix of {} does not accommodate a host numbered {hostnum}",
            c.len
        ));
    }
    Ok(cidr_result(args, c, c.addr | num, None))
}

fn cidrnetmask(args: &[Value]) -> Result<Value> {
    arity("cidrnetmask", args, 1, 1)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let c = parse_cidr(&to_str(arg(args, 0))?)?;
    if c.v6 {
        return err("cidrnetmask: only IPv4 networks have a netmask");
    }
    Ok(cidr_result(args, c, c.net_mask(c.len), None))
}

// ---------------------------------------------------------------------------------------
// Files

fn read_file(args: &[Value], dir: &Path, name: &str) -> Result<Option<Vec<u8>>> {
    arity(name, args, 1, 1)?;
    if !arg(args, 0).is_fully_known() {
        return Ok(None);
    }
    let rel = to_str(arg(args, 0))?;
    let path = dir.join(&rel);
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) => return err(format!("{name}: cannot read {rel:?}: {e}")),
    };
    // Refuse FIFOs and devices, which could block or never end.
    if !meta.is_file() {
        return err(format!("{name}: {rel:?} is not a regular file"));
    }
    if meta.len() > MAX_FILE {
        return err(format!("{name}: {rel:?} is larger than 10 MiB"));
    }
    let mut bytes = Vec::new();
    let read = std::fs::File::open(&path).and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes));
    if let Err(e) = read {
        return err(format!("{name}: cannot read {rel:?}: {e}"));
    }
    if bytes.len() as u64 > MAX_FILE {
        return err(format!("{name}: {rel:?} is larger than 10 MiB"));
    }
    Ok(Some(bytes))
}

fn file(args: &[Value], dir: &Path) -> Result<Value> {
    match read_file(args, dir, "file")? {
        None => Ok(unknown_of(args)),
        Some(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Ok(Value::String(s)),
            Err(_) => err("file: contents are not valid UTF-8; use filebase64"),
        },
    }
}

fn filebase64(args: &[Value], dir: &Path) -> Result<Value> {
    Ok(match read_file(args, dir, "filebase64")? {
        None => unknown_of(args),
        Some(bytes) => Value::String(b64_encode(&bytes)),
    })
}

fn fileexists(args: &[Value], dir: &Path) -> Result<Value> {
    arity("fileexists", args, 1, 1)?;
    if let Some(u) = gate(args) {
        return Ok(u);
    }
    let rel = to_str(arg(args, 0))?;
    match std::fs::metadata(dir.join(&rel)) {
        Ok(m) if m.is_file() => Ok(Value::Bool(true)),
        Ok(_) => err(format!("fileexists: {rel:?} is not a regular file")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Bool(false)),
        Err(e) => err(format!("fileexists: cannot stat {rel:?}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn r(resource: &str, attr: &str) -> Ref {
        Ref {
            resource: resource.into(),
            attr: attr.into(),
        }
    }
    fn unk(resource: &str, attr: &str) -> Value {
        Value::Unknown(vec![r(resource, attr)])
    }
    fn s(v: &str) -> Value {
        Value::String(v.into())
    }
    fn n(v: f64) -> Value {
        Value::Number(v)
    }
    fn list(items: Vec<Value>) -> Value {
        Value::List(items)
    }
    fn strs(items: &[&str]) -> Value {
        list(items.iter().map(|i| s(i)).collect())
    }
    fn map(pairs: Vec<(&str, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
    fn ok(name: &str, args: Vec<Value>) -> Value {
        call(name, args, Path::new(".")).unwrap()
    }
    fn fails(name: &str, args: Vec<Value>) -> bool {
        call(name, args, Path::new(".")).is_err()
    }
    fn refs_of(v: &Value) -> Vec<Ref> {
        v.refs().into_iter().cloned().collect()
    }

    #[test]
    fn unknown_functions_keep_references() {
        let v = ok("provider_thing", vec![unk("aws_s3_bucket.b", "arn"), s("x")]);
        assert_eq!(v, unk("aws_s3_bucket.b", "arn"));
        assert!(ok("md5", vec![s("x")]).is_unknown());
        assert!(ok("timestamp", vec![]).is_unknown());
        assert!(ok("templatefile", vec![s("t.tpl"), map(vec![])]).is_unknown());
        assert!(ok("regex", vec![s("a+"), s("aaa")]).is_unknown());
    }

    #[test]
    fn jsonencode_known_matches_terraform() {
        let v = map(vec![
            ("b", list(vec![n(1.0), n(0.5), Value::Bool(true), Value::Null])),
            ("a", s("x<y>&\"\n\u{1}")),
        ]);
        assert_eq!(
            ok("jsonencode", vec![v]),
            s(r#"{"a":"x\u003cy\u003e\u0026\"\n\u0001","b":[1,0.5,true,null]}"#)
        );
        assert_eq!(ok("jsonencode", vec![n(1e20)]), s("100000000000000000000"));
        assert_eq!(ok("jsonencode", vec![n(-0.0)]), s("0"));
    }

    #[test]
    fn jsonencode_partial_keeps_structure_and_refs() {
        let policy = map(vec![
            ("deadLetterTargetArn", unk("aws_sqs_queue.dlq", "arn")),
            ("maxReceiveCount", n(5.0)),
        ]);
        let v = ok("jsonencode", vec![policy.clone()]);
        assert_eq!(v, Value::Encoded(Box::new(policy.clone())));
        assert_eq!(refs_of(&v), vec![r("aws_sqs_queue.dlq", "arn")]);
        assert_eq!(
            v.decode_json().and_then(|d| d.get("maxReceiveCount").cloned()),
            Some(n(5.0))
        );
        assert_eq!(ok("jsondecode", vec![v]), policy);
    }

    #[test]
    fn jsondecode_strings() {
        assert_eq!(
            ok("jsondecode", vec![s(r#"{"a":[1,"b"],"c":null}"#)]),
            map(vec![("a", list(vec![n(1.0), s("b")])), ("c", Value::Null)])
        );
        assert!(fails("jsondecode", vec![s("{")]));
        assert!(ok("jsondecode", vec![unk("x.y", "z")]).is_unknown());
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(fails("jsondecode", vec![s(&deep)]));
    }

    #[test]
    fn element_is_partial() {
        let l = list(vec![unk("aws_subnet.a", "id"), s("b")]);
        assert_eq!(ok("element", vec![l.clone(), n(1.0)]), s("b"));
        assert_eq!(ok("element", vec![l.clone(), n(3.0)]), s("b"), "wraps around");
        assert_eq!(ok("element", vec![l.clone(), n(0.0)]), unk("aws_subnet.a", "id"));
        let by_unknown = ok("element", vec![l.clone(), unk("random_integer.i", "result")]);
        assert_eq!(
            refs_of(&by_unknown),
            vec![r("aws_subnet.a", "id"), r("random_integer.i", "result")]
        );
        assert!(ok("element", vec![unk("aws_subnet.a", "[*].id"), n(0.0)]).is_unknown());
        assert!(fails("element", vec![l.clone(), n(-1.0)]));
        assert!(fails("element", vec![list(vec![]), n(0.0)]));
        assert!(fails("element", vec![l, n(0.5)]));
    }

    #[test]
    fn lookup_is_partial() {
        let m = map(vec![("a", unk("aws_kms_key.k", "arn")), ("b", s("B"))]);
        assert_eq!(ok("lookup", vec![m.clone(), s("b"), s("d")]), s("B"));
        assert_eq!(ok("lookup", vec![m.clone(), s("a")]), unk("aws_kms_key.k", "arn"));
        assert_eq!(ok("lookup", vec![m.clone(), s("z"), s("d")]), s("d"));
        assert!(fails("lookup", vec![m.clone(), s("z")]));
        assert!(ok("lookup", vec![m, unk("x.y", "k"), s("d")]).is_unknown());
        assert!(ok("lookup", vec![unk("x.y", "m"), s("a"), s("d")]).is_unknown());
        assert!(fails("lookup", vec![list(vec![]), s("a"), s("d")]));
    }

    #[test]
    fn coalesce_and_coalescelist() {
        assert_eq!(
            ok("coalesce", vec![Value::Null, s(""), s("a"), unk("x.y", "z")]),
            s("a")
        );
        let u = ok("coalesce", vec![Value::Null, unk("x.y", "z"), s("a")]);
        assert_eq!(u, unk("x.y", "z"));
        assert_eq!(ok("coalesce", vec![n(1.0), s("a")]), s("1"));
        assert!(fails("coalesce", vec![Value::Null, s("")]));
        assert_eq!(ok("coalescelist", vec![list(vec![]), strs(&["a"])]), strs(&["a"]));
        assert!(ok("coalescelist", vec![unk("x.y", "l"), strs(&["a"])]).is_unknown());
        assert!(fails("coalescelist", vec![list(vec![])]));
    }

    #[test]
    fn merge_keeps_keys() {
        let a = map(vec![("x", s("1")), ("y", unk("r.a", "id"))]);
        let b = map(vec![("x", s("2"))]);
        assert_eq!(
            ok("merge", vec![a.clone(), Value::Null, b]),
            map(vec![("x", s("2")), ("y", unk("r.a", "id"))])
        );
        assert_eq!(
            ok("merge", vec![a.clone(), unk("r.b", "tags")]),
            Value::Unknown(vec![r("r.a", "id"), r("r.b", "tags")])
        );
        assert!(fails("merge", vec![a, strs(&["x"])]));
    }

    #[test]
    fn length_counts_known_structure() {
        assert_eq!(ok("length", vec![list(vec![unk("a.b", "c"), s("x")])]), n(2.0));
        assert_eq!(ok("length", vec![map(vec![("a", unk("a.b", "c"))])]), n(1.0));
        assert_eq!(ok("length", vec![s("héllo")]), n(5.0));
        assert_eq!(ok("length", vec![s("e\u{301}🇫🇷👩\u{200D}💻")]), n(3.0));
        assert!(ok("length", vec![s("नमस्ते")]).is_unknown());
        assert!(ok("length", vec![unk("a.b", "c")]).is_unknown());
        assert!(fails("length", vec![Value::Null]));
        assert!(fails("length", vec![n(5.0)]));
    }

    #[test]
    fn list_functions() {
        let u = unk("aws_subnet.a", "id");
        assert_eq!(
            ok("concat", vec![strs(&["a"]), list(vec![u.clone()])]),
            list(vec![s("a"), u.clone()])
        );
        assert!(ok("concat", vec![strs(&["a"]), unk("aws_subnet.a", "[*].id")]).is_unknown());
        assert!(fails("concat", vec![s("a")]));
        assert_eq!(
            ok(
                "flatten",
                vec![list(vec![
                    strs(&["a"]),
                    list(vec![strs(&["b"]), map(vec![("k", u.clone())])])
                ])]
            ),
            list(vec![s("a"), s("b"), map(vec![("k", u.clone())])])
        );
        assert_eq!(ok("flatten", vec![list(vec![strs(&["a"]), u.clone()])]), u);
        assert_eq!(
            ok("distinct", vec![list(vec![s("a"), u.clone(), s("a"), u.clone()])]),
            list(vec![s("a"), u.clone(), u.clone()])
        );
        assert_eq!(
            ok(
                "compact",
                vec![list(vec![s(""), Value::Null, u.clone(), s("b"), n(1.0)])]
            ),
            list(vec![u.clone(), s("b"), s("1")])
        );
        assert_eq!(
            ok("slice", vec![strs(&["a", "b", "c"]), n(1.0), n(3.0)]),
            strs(&["b", "c"])
        );
        assert!(fails("slice", vec![strs(&["a"]), n(0.0), n(2.0)]));
        assert!(fails("slice", vec![strs(&["a"]), n(1.0), n(0.0)]));
        assert_eq!(
            ok("zipmap", vec![strs(&["a", "b"]), list(vec![n(1.0), u.clone()])]),
            map(vec![("a", n(1.0)), ("b", u.clone())])
        );
        assert!(fails("zipmap", vec![strs(&["a"]), list(vec![])]));
        assert!(ok("zipmap", vec![list(vec![u.clone()]), strs(&["a"])]).is_unknown());
        assert_eq!(
            ok("keys", vec![map(vec![("b", u.clone()), ("a", n(1.0))])]),
            strs(&["a", "b"])
        );
        assert_eq!(
            ok("values", vec![map(vec![("b", u.clone()), ("a", n(1.0))])]),
            list(vec![n(1.0), u.clone()])
        );
        assert!(ok("keys", vec![u.clone()]).is_unknown());
        assert_eq!(ok("reverse", vec![strs(&["a", "b"])]), strs(&["b", "a"]));
        assert_eq!(ok("sort", vec![strs(&["b", "a", "B"])]), strs(&["B", "a", "b"]));
        assert!(ok("sort", vec![list(vec![u.clone()])]).is_unknown());
        assert_eq!(ok("one", vec![list(vec![])]), Value::Null);
        assert_eq!(ok("one", vec![list(vec![u.clone()])]), u);
        assert!(fails("one", vec![strs(&["a", "b"])]));
    }

    #[test]
    fn contains_and_index() {
        let u = unk("a.b", "c");
        assert_eq!(
            ok("contains", vec![list(vec![u.clone(), s("x")]), s("x")]),
            Value::Bool(true)
        );
        assert!(ok("contains", vec![list(vec![u.clone(), s("x")]), s("y")]).is_unknown());
        assert_eq!(ok("contains", vec![strs(&["x"]), s("y")]), Value::Bool(false));
        assert_eq!(ok("contains", vec![list(vec![n(1.0)]), s("1")]), Value::Bool(true));
        assert_eq!(ok("index", vec![strs(&["a", "b"]), s("b")]), n(1.0));
        assert!(ok("index", vec![list(vec![u, s("b")]), s("b")]).is_unknown());
        assert!(fails("index", vec![strs(&["a"]), s("b")]));
        assert_eq!(
            ok("alltrue", vec![list(vec![Value::Bool(true), s("true")])]),
            Value::Bool(true)
        );
        assert_eq!(
            ok("anytrue", vec![list(vec![unk("a.b", "c"), Value::Bool(true)])]),
            Value::Bool(true)
        );
        assert!(ok("alltrue", vec![list(vec![unk("a.b", "c"), Value::Bool(true)])]).is_unknown());
    }

    #[test]
    fn range_is_capped() {
        assert_eq!(ok("range", vec![n(3.0)]), list(vec![n(0.0), n(1.0), n(2.0)]));
        assert_eq!(ok("range", vec![n(3.0), n(1.0)]), list(vec![n(3.0), n(2.0)]));
        assert_eq!(ok("range", vec![n(0.0), n(1.0), n(0.5)]), list(vec![n(0.0), n(0.5)]));
        assert_eq!(ok("range", vec![n(0.0)]), list(vec![]));
        assert!(fails("range", vec![n(1e12)]));
        assert!(fails("range", vec![n(0.0), n(5.0), n(0.0)]));
        assert!(fails("range", vec![n(0.0), n(5.0), n(-1.0)]));
        assert!(ok("range", vec![unk("a.b", "c")]).is_unknown());
    }

    #[test]
    fn numbers() {
        assert_eq!(ok("min", vec![n(3.0), s("2"), n(5.0)]), n(2.0));
        assert_eq!(ok("max", vec![n(3.0), n(5.0)]), n(5.0));
        assert!(fails("min", vec![]));
        assert!(ok("max", vec![n(1.0), unk("a.b", "c")]).is_unknown());
        assert_eq!(ok("sum", vec![list(vec![n(1.0), n(2.5)])]), n(3.5));
        assert!(fails("sum", vec![list(vec![])]));
        assert_eq!(ok("abs", vec![n(-2.0)]), n(2.0));
        assert_eq!(ok("ceil", vec![n(1.2)]), n(2.0));
        assert_eq!(ok("floor", vec![n(-1.2)]), n(-2.0));
        assert_eq!(ok("pow", vec![n(2.0), n(10.0)]), n(1024.0));
        assert!(fails("pow", vec![n(10.0), n(1000.0)]));
        assert!(fails("abs", vec![s("x")]));
    }

    #[test]
    fn format_verbs() {
        let f = |fmt: &str, args: Vec<Value>| {
            let mut all = vec![s(fmt)];
            all.extend(args);
            ok("format", all)
        };
        assert_eq!(
            f("%s-%d-%v%%", vec![s("a"), n(42.0), Value::Bool(true)]),
            s("a-42-true%")
        );
        assert_eq!(f("%q", vec![s("a\"b")]), s(r#""a\"b""#));
        assert_eq!(
            f("%v|%v|%v", vec![n(1e6), n(0.5), strs(&["a"])]),
            s(r#"1e+06|0.5|["a"]"#)
        );
        assert_eq!(f("%v", vec![Value::Null]), s("null"));
        assert_eq!(
            f(
                "%05d|%-4d|%+d|%x|%#X|%3s|%-3s|",
                vec![n(-42.0), n(7.0), n(3.0), n(255.0), n(255.0), s("a"), s("b")]
            ),
            s("-0042|7   |+3|ff|0XFF|  a|b  |")
        );
        assert_eq!(
            f("%.2f|%8.3f|%.3s", vec![n(1.23456), n(-2.5), s("abcdef")]),
            s("1.23|  -2.500|abc")
        );
        assert_eq!(f("%[2]s %[1]s", vec![s("a"), s("b")]), s("b a"));
        assert!(f("%e", vec![n(1.0)]).is_unknown());
        assert!(f("%s", vec![unk("a.b", "c")]).is_unknown());
        assert_eq!(refs_of(&f("%s-%s", vec![s("x"), unk("a.b", "c")])), vec![r("a.b", "c")]);
        let bad = |fmt: &str, args: Vec<Value>| {
            let mut all = vec![s(fmt)];
            all.extend(args);
            fails("format", all)
        };
        assert!(bad("%s", vec![]));
        assert!(bad("%s", vec![s("a"), s("b")]));
        assert!(bad("%d", vec![n(1.5)]));
        assert!(bad("%d", vec![s("x")]));
        assert!(bad("%s", vec![Value::Null]));
        assert!(bad("%s", vec![strs(&["a"])]));
        assert!(bad("%", vec![]));
        assert!(bad("%y", vec![s("a")]));
        assert!(bad("%[0]s", vec![s("a")]));
        assert!(f("%99999999999999999999999s", vec![s("a")]).is_unknown());
    }

    #[test]
    fn formatlist_iterates() {
        let u = unk("aws_instance.a", "id");
        assert_eq!(
            ok("formatlist", vec![s("%s=%s"), strs(&["a", "b"]), s("x")]),
            strs(&["a=x", "b=x"])
        );
        assert_eq!(
            ok("formatlist", vec![s("%s!"), list(vec![s("a"), u.clone()])]),
            list(vec![s("a!"), u.clone()])
        );
        assert!(ok("formatlist", vec![s("%s"), u]).is_unknown());
        assert_eq!(ok("formatlist", vec![s("hi")]), strs(&["hi"]));
        assert!(fails("formatlist", vec![s("%s%s"), strs(&["a"]), strs(&["a", "b"])]));
    }

    #[test]
    fn string_functions() {
        assert_eq!(
            ok("join", vec![s(","), strs(&["a", "b"]), list(vec![n(1.0)])]),
            s("a,b,1")
        );
        assert!(ok("join", vec![s(","), list(vec![s("a"), unk("a.b", "c")])]).is_unknown());
        assert!(fails("join", vec![s(","), list(vec![Value::Null])]));
        assert_eq!(ok("split", vec![s(","), s("a,,b")]), strs(&["a", "", "b"]));
        assert_eq!(ok("split", vec![s(","), s("")]), strs(&[""]));
        assert_eq!(ok("lower", vec![s("AbÇ")]), s("abç"));
        assert_eq!(ok("upper", vec![s("abç")]), s("ABÇ"));
        assert!(ok("upper", vec![s("ß")]).is_unknown());
        assert_eq!(ok("title", vec![s("hello world-foo_bar")]), s("Hello World-Foo_bar"));
        assert_eq!(ok("replace", vec![s("a-b-c"), s("-"), s("+")]), s("a+b+c"));
        assert_eq!(ok("replace", vec![s("a-b"), s("/-/"), s("+")]), s("a+b"));
        assert!(ok("replace", vec![s("a-b"), s("/[-]+/"), s("+")]).is_unknown());
        assert_eq!(ok("trimspace", vec![s("  a \n")]), s("a"));
        assert_eq!(ok("trim", vec![s("?!a?!"), s("!?")]), s("a"));
        assert_eq!(ok("trimprefix", vec![s("aab"), s("a")]), s("ab"));
        assert_eq!(ok("trimsuffix", vec![s("abb"), s("b")]), s("ab"));
        assert_eq!(ok("chomp", vec![s("a\r\n\n")]), s("a"));
        assert_eq!(ok("strrev", vec![s("abc")]), s("cba"));
        assert_eq!(ok("indent", vec![n(2.0), s("a\nb")]), s("a\n  b"));
        assert_eq!(ok("startswith", vec![s("arn:aws"), s("arn:")]), Value::Bool(true));
        assert_eq!(ok("endswith", vec![s("arn:aws"), s("arn:")]), Value::Bool(false));
        assert!(ok("startswith", vec![unk("a.b", "arn"), s("arn:")]).is_unknown());
        assert!(fails("lower", vec![Value::Null]));
    }

    #[test]
    fn substr_like_cty() {
        let sub = |o: f64, l: f64| ok("substr", vec![s("hello"), n(o), n(l)]);
        assert_eq!(sub(1.0, 3.0), s("ell"));
        assert_eq!(sub(-3.0, -1.0), s("llo"));
        assert_eq!(sub(-10.0, 2.0), s("he"));
        assert_eq!(sub(10.0, 2.0), s(""));
        assert_eq!(sub(2.0, 100.0), s("llo"));
        assert_eq!(sub(0.0, 0.0), s(""));
    }

    #[test]
    fn conversions() {
        assert_eq!(ok("tostring", vec![n(5.0)]), s("5"));
        assert_eq!(ok("tostring", vec![Value::Null]), Value::Null);
        assert!(fails("tostring", vec![strs(&[])]));
        assert_eq!(ok("tonumber", vec![s("1.5")]), n(1.5));
        assert!(fails("tonumber", vec![s("nan")]));
        assert!(fails("tonumber", vec![s("x")]));
        assert_eq!(ok("tobool", vec![s("true")]), Value::Bool(true));
        assert!(fails("tobool", vec![s("yes")]));
        assert_eq!(ok("tolist", vec![list(vec![s("a"), n(1.0)])]), strs(&["a", "1"]));
        assert_eq!(ok("toset", vec![strs(&["b", "a", "b"])]), strs(&["a", "b"]));
        let u = unk("a.b", "c");
        assert_eq!(
            ok("toset", vec![list(vec![s("b"), u.clone(), s("b")])]),
            list(vec![s("b"), u.clone()])
        );
        assert_eq!(
            ok("tomap", vec![map(vec![("a", n(1.0)), ("b", s("x"))])]),
            map(vec![("a", s("1")), ("b", s("x"))])
        );
        assert!(ok("tolist", vec![u]).is_unknown());
        assert_eq!(ok("nonsensitive", vec![s("x")]), s("x"));
    }

    #[test]
    fn base64_and_urlencode() {
        for text in ["", "a", "ab", "abc", "abcd", "héllo wörld"] {
            let enc = ok("base64encode", vec![s(text)]);
            assert_eq!(ok("base64decode", vec![enc]), s(text));
        }
        assert_eq!(ok("base64encode", vec![s("ab")]), s("YWI="));
        assert!(fails("base64decode", vec![s("YWI")]));
        assert!(fails("base64decode", vec![s("Y=WI")]));
        assert!(fails("base64decode", vec![s("/w==")]), "not UTF-8");
        assert_eq!(ok("urlencode", vec![s("a b&c/é")]), s("a+b%26c%2F%C3%A9"));
    }

    #[test]
    fn cidr_functions() {
        let sub = |p: &str, b: f64, nn: f64| call("cidrsubnet", vec![s(p), n(b), n(nn)], Path::new("."));
        assert_eq!(sub("10.0.0.0/16", 8.0, 2.0).unwrap(), s("10.0.2.0/24"));
        assert_eq!(sub("10.1.2.3/16", 4.0, 15.0).unwrap(), s("10.1.240.0/20"));
        assert_eq!(sub("10.0.0.0/16", 0.0, 0.0).unwrap(), s("10.0.0.0/16"));
        assert_eq!(sub("0.0.0.0/0", 0.0, 0.0).unwrap(), s("0.0.0.0/0"));
        assert_eq!(
            sub("fd00:fd12:3456:7890::/56", 16.0, 162.0).unwrap(),
            s("fd00:fd12:3456:7800:a200::/72")
        );
        assert!(sub("10.0.0.0/16", 8.0, 256.0).is_err());
        assert!(sub("10.0.0.0/16", 17.0, 0.0).is_err());
        assert!(sub("10.0.0.0/16", -1.0, 0.0).is_err());
        assert!(sub("10.0.0.0/16", 8.0, -1.0).is_err());
        assert!(sub("10.0.0.0", 8.0, 1.0).is_err());
        assert!(sub("10.0.0.0/33", 1.0, 1.0).is_err());
        assert!(sub("10.0.0.256/16", 1.0, 1.0).is_err());
        assert!(sub("x/1", 1.0, 1.0).is_err());
        assert!(ok("cidrsubnet", vec![unk("aws_vpc.v", "cidr_block"), n(8.0), n(1.0)]).is_unknown());

        assert_eq!(ok("cidrhost", vec![s("10.12.112.0/20"), n(16.0)]), s("10.12.112.16"));
        assert_eq!(ok("cidrhost", vec![s("10.12.112.0/20"), n(268.0)]), s("10.12.113.12"));
        assert_eq!(ok("cidrhost", vec![s("10.0.0.0/24"), n(-1.0)]), s("10.0.0.255"));
        assert_eq!(
            ok("cidrhost", vec![s("fd00:fd12:3456:7890:00a2::/72"), n(34.0)]),
            s("fd00:fd12:3456:7890::22")
        );
        assert!(fails("cidrhost", vec![s("10.0.0.0/24"), n(256.0)]));
        assert!(fails("cidrhost", vec![s("10.0.0.0/24"), n(-257.0)]));

        assert_eq!(ok("cidrnetmask", vec![s("172.16.0.0/12")]), s("255.240.0.0"));
        assert!(fails("cidrnetmask", vec![s("fd00::/8")]));

        assert_eq!(
            ok("cidrsubnets", vec![s("10.1.0.0/16"), n(4.0), n(4.0), n(8.0), n(4.0)]),
            strs(&["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"])
        );
        assert_eq!(
            ok(
                "cidrsubnets",
                vec![s("fd00:fd12:3456:7890::/56"), n(16.0), n(16.0), n(16.0), n(32.0)]
            ),
            strs(&[
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88"
            ])
        );
        assert!(fails("cidrsubnets", vec![s("10.0.0.0/24"), n(1.0), n(1.0), n(1.0)]));
        assert!(fails("cidrsubnets", vec![s("10.0.0.0/24"), n(0.0)]));
    }

    #[test]
    fn files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("policy.json"), "{\"a\":1}").unwrap();
        std::fs::write(dir.path().join("bin"), [0xffu8, 0]).unwrap();
        let f = |name: &str, p: &str| call(name, vec![s(p)], dir.path());
        assert_eq!(f("file", "policy.json").unwrap(), s("{\"a\":1}"));
        assert!(f("file", "missing.json").is_err());
        assert!(f("file", "bin").is_err());
        assert!(f("file", ".").is_err());
        assert_eq!(f("filebase64", "bin").unwrap(), s("/wA="));
        assert_eq!(f("fileexists", "policy.json").unwrap(), Value::Bool(true));
        assert_eq!(f("fileexists", "missing.json").unwrap(), Value::Bool(false));
        assert!(call("file", vec![unk("a.b", "c")], dir.path()).unwrap().is_unknown());
    }

    #[test]
    fn wrong_arity_and_types_are_errors_not_panics() {
        let samples = [
            Value::Null,
            Value::Bool(true),
            n(-1.0),
            n(f64::INFINITY),
            n(f64::NAN),
            n(1e300),
            s(""),
            s("/"),
            s("%"),
            s("10.0.0.0/8"),
            list(vec![]),
            map(vec![]),
            unk("a.b", "c"),
            Value::Encoded(Box::new(unk("a.b", "c"))),
        ];
        let names = [
            "jsonencode",
            "jsondecode",
            "element",
            "cidrsubnet",
            "cidrsubnets",
            "cidrhost",
            "cidrnetmask",
            "concat",
            "lookup",
            "coalesce",
            "coalescelist",
            "merge",
            "length",
            "format",
            "formatlist",
            "join",
            "split",
            "lower",
            "upper",
            "title",
            "replace",
            "trimspace",
            "trim",
            "trimprefix",
            "trimsuffix",
            "substr",
            "startswith",
            "endswith",
            "contains",
            "keys",
            "values",
            "flatten",
            "distinct",
            "compact",
            "slice",
            "zipmap",
            "range",
            "min",
            "max",
            "sum",
            "abs",
            "ceil",
            "floor",
            "one",
            "reverse",
            "sort",
            "index",
            "tostring",
            "tonumber",
            "tobool",
            "tolist",
            "toset",
            "tomap",
            "file",
            "fileexists",
            "filebase64",
            "base64encode",
            "base64decode",
            "urlencode",
            "strrev",
            "indent",
            "chomp",
            "pow",
            "signum",
            "alltrue",
            "anytrue",
        ];
        let dir = Path::new("/nonexistent-wellarch-test");
        for name in names {
            let _ = call(name, vec![], dir);
            for a in &samples {
                let _ = call(name, vec![a.clone()], dir);
                for b in &samples {
                    let _ = call(name, vec![a.clone(), b.clone()], dir);
                    for c in &samples {
                        let _ = call(name, vec![a.clone(), b.clone(), c.clone()], dir);
                    }
                }
            }
        }
    }
}
