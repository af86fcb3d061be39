//! Reading a composite's configuration: Terraform's JSON shape of its [`Schema`] (unset
//! attributes null or absent, a single nested block as an object or a one-element array,
//! repeated blocks as arrays), with values unknown at plan time marked by [`unknown()`].
//!
//! A [`Section`] reads one level (the root or one block). Each read returns the value with
//! the schema's default applied, records a path-aware [`ConfigError`] when the value is
//! wrong, and writes the value it settled on into the *filled* configuration that
//! [`crate::Planned::config`] returns. Blocks the user did not write stay absent there
//! (Terraform does not let a provider plan a block into existence); the expansion still
//! uses their defaults.
//!
//! Composites read everything through this module, so every composite treats unknowns,
//! Terraform's type conversions and error paths the same way.

use std::cell::RefCell;
use std::ops::RangeInclusive;

use serde_json::{Map, Value};

use crate::expr::Expr;
use crate::schema::{Nesting, Presence, Schema};
use crate::{ConfigError, PROVIDER_ATTRIBUTES, PathStep, is_unknown, unknown};

/// A configuration value: known, or known only after apply.
#[derive(Clone, Debug, PartialEq)]
pub enum Setting<T> {
    Known(T),
    Unknown,
}

impl<T> Setting<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Setting::Known(v) => Some(v),
            Setting::Unknown => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Setting::Unknown)
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Setting<U> {
        match self {
            Setting::Known(v) => Setting::Known(f(v)),
            Setting::Unknown => Setting::Unknown,
        }
    }

    /// Both values when both are known.
    pub fn zip<U>(self, other: Setting<U>) -> Setting<(T, U)> {
        match (self, other) {
            (Setting::Known(a), Setting::Known(b)) => Setting::Known((a, b)),
            _ => Setting::Unknown,
        }
    }

    pub fn as_ref(&self) -> Setting<&T> {
        match self {
            Setting::Known(v) => Setting::Known(v),
            Setting::Unknown => Setting::Unknown,
        }
    }
}

impl<T: Into<Expr>> From<Setting<T>> for Expr {
    /// A known value as a literal, an unknown one as [`Expr::Unknown`].
    fn from(s: Setting<T>) -> Expr {
        match s {
            Setting::Known(v) => v.into(),
            Setting::Unknown => Expr::Unknown,
        }
    }
}

impl Setting<String> {
    /// `self` + `suffix`, unknown when `self` is (child names from the composite's name).
    pub fn suffixed(&self, suffix: &str) -> Setting<String> {
        self.as_ref().map(|s| format!("{s}{suffix}"))
    }

    pub fn prefixed(&self, prefix: &str) -> Setting<String> {
        self.as_ref().map(|s| format!("{prefix}{s}"))
    }
}

impl Setting<i64> {
    fn json(&self) -> Value {
        match self {
            Setting::Known(n) => Value::from(*n),
            Setting::Unknown => unknown(),
        }
    }
}

/// A map attribute (`tags`): known keys, each value known or not.
pub type SettingMap = Vec<(String, Setting<String>)>;

/// Converts a [`SettingMap`] into an object expression.
pub fn map_expr(map: &SettingMap) -> Expr {
    Expr::Object(map.iter().map(|(k, v)| (k.clone(), Expr::from(v.clone()))).collect())
}

/// A value the schema defaults: `None` only after an error was recorded.
pub fn defaulted<T>(s: Option<Setting<T>>) -> Setting<T> {
    s.unwrap_or(Setting::Unknown)
}

/// AWS managed rule groups (vendor `AWS`) a web ACL applies unless told otherwise.
pub const DEFAULT_RULE_GROUPS: &[&str] = &[
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
];

/// An edge block's `managed_rule_groups`: names of AWS managed rule groups, each once. Unset
/// or unknown plans with [`DEFAULT_RULE_GROUPS`] (Terraform plans again once it is known).
pub fn managed_rule_groups(e: &mut Section<'_>) -> Vec<String> {
    let Some(Setting::Known(groups)) = e.string_list("managed_rule_groups") else {
        return DEFAULT_RULE_GROUPS.iter().map(|g| g.to_string()).collect();
    };
    for (i, g) in groups.iter().enumerate() {
        let valid = !g.is_empty() && g.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            let mut path = e.path_of("managed_rule_groups");
            path.push(PathStep::Index(i));
            e.error_at(path, format!("{g:?} is not the name of an AWS managed rule group"));
        }
    }
    let mut unique = groups.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != groups.len() {
        e.error("managed_rule_groups", "names a rule group twice");
    }
    groups
}

/// Checks a composite's `tags`: AWS's limits (the provider adds two tags) and the reserved
/// `aws:` and `wellarch:` prefixes, each error on its key.
pub fn check_tags(root: &Section<'_>, tags: &Setting<SettingMap>) {
    let Setting::Known(tags) = tags else { return };
    if tags.len() > 48 {
        root.error(
            "tags",
            format!(
                "has {} tags; AWS allows 50 per resource and the provider adds 2",
                tags.len()
            ),
        );
    }
    for (k, v) in tags {
        let mut path = root.path_of("tags");
        path.push(PathStep::Key(k.clone()));
        let lower = k.to_ascii_lowercase();
        if lower.starts_with("aws:") || lower.starts_with("wellarch:") {
            root.error_at(path, "tag keys starting with aws: or wellarch: are reserved");
        } else if k.is_empty() || k.chars().count() > 128 {
            root.error_at(path, "tag keys have 1 to 128 characters");
        } else if let Setting::Known(v) = v
            && v.chars().count() > 256
        {
            root.error_at(path, "tag values have at most 256 characters");
        }
    }
}

/// Collects the errors of one configuration; shared by every [`Section`] of it.
#[derive(Debug, Default)]
pub struct Errors(RefCell<Vec<ConfigError>>);

impl Errors {
    pub fn new() -> Self {
        Errors::default()
    }

    pub fn push(&self, path: Vec<PathStep>, message: impl Into<String>) {
        self.0.borrow_mut().push(ConfigError {
            path,
            message: message.into(),
            needs_known_value: false,
        });
    }

    /// An unknown value the expansion's shape needs (see [`ConfigError::needs_known_value`]).
    pub fn push_needs_known(&self, path: Vec<PathStep>, message: impl Into<String>) {
        self.0.borrow_mut().push(ConfigError {
            path,
            message: message.into(),
            needs_known_value: true,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.borrow().is_empty()
    }

    pub fn into_vec(self) -> Vec<ConfigError> {
        self.0.into_inner()
    }
}

/// Whether a section (the root or a block) was written.
#[derive(Clone, Copy, Debug)]
enum State<'a> {
    Present(&'a Map<String, Value>),
    Absent,
    /// The block itself is unknown (a `dynamic` block over an unknown collection).
    Unknown,
}

/// One level of the configuration: the root object or one nested block.
pub struct Section<'a> {
    schema: &'a Schema,
    state: State<'a>,
    /// Prefix of the paths of this section's attributes (`handler[0]` for a list-nested block,
    /// as Terraform addresses it).
    path: Vec<PathStep>,
    /// The path of the section itself (`handler`), for errors about the block as a whole.
    here: Vec<PathStep>,
    errors: &'a Errors,
    filled: Map<String, Value>,
    root: bool,
}

/// What an attribute holds before it is typed.
enum Raw<'a> {
    Absent,
    Unknown,
    Value(&'a Value),
}

impl<'a> Section<'a> {
    /// The whole configuration of a composite.
    pub fn root(schema: &'a Schema, config: &'a Value, errors: &'a Errors) -> Section<'a> {
        let state = match config {
            Value::Object(_) if is_unknown(config) => State::Unknown,
            Value::Object(m) => State::Present(m),
            Value::Null => State::Absent,
            _ => {
                errors.push(Vec::new(), "the configuration must be an object");
                State::Absent
            }
        };
        Section {
            schema,
            state,
            path: Vec::new(),
            here: Vec::new(),
            errors,
            filled: Map::new(),
            root: true,
        }
    }

    /// The path of attribute `name` of this section.
    pub fn path_of(&self, name: &str) -> Vec<PathStep> {
        let mut p = self.path.clone();
        p.push(PathStep::Attribute(name.to_string()));
        p
    }

    /// Records an error on attribute `name` of this section.
    pub fn error(&self, name: &str, message: impl Into<String>) {
        self.errors.push(self.path_of(name), message);
    }

    /// Records that `name` is unknown but must be known at plan time.
    pub fn error_needs_known(&self, name: &str, message: impl Into<String>) {
        self.errors.push_needs_known(self.path_of(name), message);
    }

    /// Records an error at a path below this section (a map key, a list element).
    pub fn error_at(&self, path: Vec<PathStep>, message: impl Into<String>) {
        self.errors.push(path, message);
    }

    /// Records an error on this section itself (a block, or the root).
    pub fn error_here(&self, message: impl Into<String>) {
        self.errors.push(self.here.clone(), message);
    }

    /// True when the user wrote this block (or it is the root).
    pub fn is_present(&self) -> bool {
        matches!(self.state, State::Present(_))
    }

    /// True when the block itself is unknown at plan time.
    pub fn is_unknown(&self) -> bool {
        matches!(self.state, State::Unknown)
    }

    fn raw(&self, name: &str) -> Raw<'a> {
        match self.state {
            State::Absent => Raw::Absent,
            State::Unknown => Raw::Unknown,
            State::Present(m) => match m.get(name) {
                None | Some(Value::Null) => Raw::Absent,
                Some(v) if is_unknown(v) => Raw::Unknown,
                Some(v) => Raw::Value(v),
            },
        }
    }

    fn default_of(&self, name: &str) -> Option<&'a Value> {
        self.schema
            .find_attribute(name)
            .filter(|a| a.presence == Presence::Defaulted)
            .and_then(|a| a.default.as_ref())
    }

    /// Writes the value settled on for `name` into the filled configuration.
    pub fn set(&mut self, name: &str, value: Value) {
        self.filled.insert(name.to_string(), value);
    }

    /// Like [`Section::set`] for a derived default: unknown when the inputs are.
    pub fn set_int(&mut self, name: &str, value: &Setting<i64>) {
        self.set(name, value.json());
    }

    /// Keeps what the user wrote (null when unset) in the filled configuration.
    fn keep(&mut self, name: &str, raw: &Raw<'_>) {
        let v = match raw {
            Raw::Absent => Value::Null,
            Raw::Unknown => unknown(),
            Raw::Value(v) => (*v).clone(),
        };
        self.set(name, v);
    }

    // --- typed reads -------------------------------------------------------------------

    /// A string; `None` when unset and the schema has no default.
    pub fn string(&mut self, name: &str) -> Option<Setting<String>> {
        let raw = self.raw(name);
        let out = match &raw {
            Raw::Absent => self
                .default_of(name)
                .and_then(Value::as_str)
                .map(|d| Setting::Known(d.to_string())),
            Raw::Unknown => Some(Setting::Unknown),
            Raw::Value(v) => match as_string(v) {
                Some(s) => Some(Setting::Known(s)),
                None => {
                    self.error(name, "must be a string");
                    None
                }
            },
        };
        self.fill(
            name,
            &raw,
            out.as_ref().map(|s| s.as_ref().map(|v| Value::String(v.clone()))),
        );
        out
    }

    /// A string the configuration must set.
    pub fn required_string(&mut self, name: &str) -> Setting<String> {
        let absent = matches!(self.raw(name), Raw::Absent) && !matches!(self.state, State::Unknown);
        match self.string(name) {
            Some(s) => s,
            None => {
                if absent {
                    self.error(name, "is required");
                }
                Setting::Unknown
            }
        }
    }

    /// A string from a fixed set of values (`"cognito"`, `"iam"`, `"none"`).
    pub fn one_of(&mut self, name: &str, allowed: &[&str]) -> Option<Setting<String>> {
        let value = self.string(name)?;
        if let Setting::Known(v) = &value
            && !allowed.contains(&v.as_str())
        {
            self.error(name, format!("must be one of {}, not {v:?}", quoted(allowed)));
            return self
                .default_of(name)
                .and_then(Value::as_str)
                .map(|d| Setting::Known(d.to_string()));
        }
        Some(value)
    }

    /// A string from a fixed set that the configuration must set.
    pub fn required_one_of(&mut self, name: &str, allowed: &[&str]) -> Setting<String> {
        let absent = matches!(self.raw(name), Raw::Absent) && !matches!(self.state, State::Unknown);
        if absent {
            self.error(name, "is required");
            self.keep(name, &Raw::Absent);
            return Setting::Unknown;
        }
        self.one_of(name, allowed).unwrap_or(Setting::Unknown)
    }

    /// A whole number within `range`; `None` when unset and the schema has no default.
    pub fn int(&mut self, name: &str, range: RangeInclusive<i64>) -> Option<Setting<i64>> {
        let raw = self.raw(name);
        let default = || self.default_of(name).and_then(Value::as_i64).map(Setting::Known);
        let out = match &raw {
            Raw::Absent => default(),
            Raw::Unknown => Some(Setting::Unknown),
            Raw::Value(v) => match as_number(v) {
                Some(n) if n.fract() != 0.0 => {
                    self.error(name, format!("must be a whole number, not {n}"));
                    default()
                }
                Some(n) if !range.contains(&(n as i64)) || n.abs() > 9.0e15 => {
                    self.error(
                        name,
                        format!("must be between {} and {}, not {n}", range.start(), range.end()),
                    );
                    default()
                }
                Some(n) => Some(Setting::Known(n as i64)),
                None => {
                    self.error(name, "must be a number");
                    default()
                }
            },
        };
        self.fill(name, &raw, out.as_ref().map(|s| s.as_ref().map(|n| Value::from(*n))));
        out
    }

    /// A whole number that may be left unset without a default (the caller derives one and
    /// writes it back with [`Section::set_int`]).
    pub fn derived_int(&mut self, name: &str, range: RangeInclusive<i64>) -> Option<Setting<i64>> {
        match self.raw(name) {
            Raw::Absent => None,
            _ => self.int(name, range),
        }
    }

    /// A number (not necessarily whole) within `range`.
    pub fn number(&mut self, name: &str, range: RangeInclusive<f64>) -> Option<Setting<f64>> {
        let raw = self.raw(name);
        let default = || self.default_of(name).and_then(Value::as_f64).map(Setting::Known);
        let out = match &raw {
            Raw::Absent => default(),
            Raw::Unknown => Some(Setting::Unknown),
            Raw::Value(v) => match as_number(v) {
                Some(n) if range.contains(&n) => Some(Setting::Known(n)),
                Some(n) => {
                    self.error(
                        name,
                        format!("must be between {} and {}, not {n}", range.start(), range.end()),
                    );
                    default()
                }
                None => {
                    self.error(name, "must be a number");
                    default()
                }
            },
        };
        let filled = out.as_ref().map(|s| s.as_ref().map(|n| number_json(*n)));
        self.fill(name, &raw, filled);
        out
    }

    /// A bool; `None` when unset and the schema has no default.
    pub fn bool(&mut self, name: &str) -> Option<Setting<bool>> {
        let raw = self.raw(name);
        let default = || self.default_of(name).and_then(Value::as_bool).map(Setting::Known);
        let out = match &raw {
            Raw::Absent => default(),
            Raw::Unknown => Some(Setting::Unknown),
            Raw::Value(Value::Bool(b)) => Some(Setting::Known(*b)),
            Raw::Value(Value::String(s)) if s == "true" || s == "false" => Some(Setting::Known(s == "true")),
            Raw::Value(_) => {
                self.error(name, "must be a bool");
                default()
            }
        };
        self.fill(name, &raw, out.as_ref().map(|s| s.as_ref().map(|b| Value::Bool(*b))));
        out
    }

    /// A list of strings; unknown when the list or any element is. `None` when unset and
    /// the schema has no default.
    pub fn string_list(&mut self, name: &str) -> Option<Setting<Vec<String>>> {
        let raw = self.raw(name);
        let default = || {
            self.default_of(name)
                .and_then(Value::as_array)
                .map(|items| Setting::Known(items.iter().filter_map(as_string).collect()))
        };
        let out = match &raw {
            Raw::Absent => default(),
            Raw::Unknown => Some(Setting::Unknown),
            Raw::Value(Value::Array(items)) => {
                let mut list = Vec::new();
                let mut unknown_item = false;
                for (i, item) in items.iter().enumerate() {
                    if is_unknown(item) {
                        unknown_item = true;
                    } else if let Some(s) = as_string(item) {
                        list.push(s);
                    } else {
                        let mut p = self.path_of(name);
                        p.push(PathStep::Index(i));
                        self.errors.push(p, "must be a string");
                    }
                }
                Some(if unknown_item {
                    Setting::Unknown
                } else {
                    Setting::Known(list)
                })
            }
            Raw::Value(_) => {
                self.error(name, "must be a list of strings");
                default()
            }
        };
        let filled = out.as_ref().map(|s| {
            s.as_ref()
                .map(|l| Value::Array(l.iter().cloned().map(Value::String).collect()))
        });
        match (&raw, &out) {
            // Keep unknown elements as they were written.
            (Raw::Value(v), Some(Setting::Unknown)) => self.set(name, (*v).clone()),
            _ => self.fill(name, &raw, filled),
        }
        out
    }

    /// A map of strings (`tags`). A map written as a one-element list of objects (how a
    /// `.tf.json` body without a schema reads) is accepted.
    pub fn string_map(&mut self, name: &str) -> Setting<SettingMap> {
        let raw = self.raw(name);
        let out = match &raw {
            Raw::Absent => Setting::Known(Vec::new()),
            Raw::Unknown => Setting::Unknown,
            Raw::Value(v) => {
                let object = match v {
                    Value::Object(m) => Some(m),
                    Value::Array(items) if items.len() == 1 => items[0].as_object().filter(|_| !is_unknown(&items[0])),
                    _ => None,
                };
                match object {
                    Some(m) => {
                        let mut map = Vec::new();
                        for (k, v) in m {
                            if is_unknown(v) {
                                map.push((k.clone(), Setting::Unknown));
                            } else if let Some(s) = as_string(v) {
                                map.push((k.clone(), Setting::Known(s)));
                            } else {
                                let mut p = self.path_of(name);
                                p.push(PathStep::Key(k.clone()));
                                self.errors.push(p, "must be a string");
                            }
                        }
                        Setting::Known(map)
                    }
                    None if matches!(v, Value::Array(items) if items.len() == 1 && is_unknown(&items[0])) => {
                        Setting::Unknown
                    }
                    None => {
                        self.error(name, "must be a map of strings");
                        Setting::Known(Vec::new())
                    }
                }
            }
        };
        self.keep(name, &raw);
        out
    }

    /// Writes the settled value: the value read, the default, or what was written when the
    /// value is unusable (the caller reports the error, and the plan fails anyway).
    fn fill(&mut self, name: &str, raw: &Raw<'_>, value: Option<Setting<Value>>) {
        match value {
            Some(Setting::Known(v)) => self.set(name, v),
            Some(Setting::Unknown) => self.set(name, unknown()),
            None => self.keep(name, raw),
        }
    }

    // --- blocks -------------------------------------------------------------------------

    /// A block that appears at most once ([`Nesting::Single`], or a [`Nesting::List`] with
    /// `max: 1`): an object, a one-element array, or null/absent.
    pub fn block(&self, name: &str) -> Section<'a> {
        let schema = self.block_schema(name);
        let path = self.path_of(name);
        let state = match self.raw(name) {
            Raw::Absent => State::Absent,
            Raw::Unknown => State::Unknown,
            Raw::Value(Value::Object(m)) => State::Present(m),
            Raw::Value(Value::Array(items)) => match items.as_slice() {
                [] => State::Absent,
                [one] if is_unknown(one) => State::Unknown,
                [Value::Object(m)] => State::Present(m),
                [_] => {
                    self.errors.push(path.clone(), "must be a block");
                    State::Absent
                }
                _ => {
                    self.errors
                        .push(path.clone(), format!("at most one {name} block is allowed"));
                    match &items[0] {
                        Value::Object(m) if !is_unknown(&items[0]) => State::Present(m),
                        _ => State::Absent,
                    }
                }
            },
            Raw::Value(_) => {
                self.errors.push(path.clone(), "must be a block");
                State::Absent
            }
        };
        let mut inner = path.clone();
        if matches!(
            self.schema.find_block(name).map(|b| b.nesting),
            Some(Nesting::List { .. })
        ) {
            inner.push(PathStep::Index(0));
        }
        Section {
            schema,
            state,
            path: inner,
            here: path,
            errors: self.errors,
            filled: Map::new(),
            root: false,
        }
    }

    /// Repeated nested blocks; unknown when the list of blocks is (a `dynamic` block over an
    /// unknown collection).
    pub fn blocks(&self, name: &str) -> Setting<Vec<Section<'a>>> {
        let schema = self.block_schema(name);
        let items: &[Value] = match self.raw(name) {
            Raw::Absent => &[],
            Raw::Unknown => return Setting::Unknown,
            Raw::Value(Value::Array(items)) => items,
            Raw::Value(v @ Value::Object(_)) => std::slice::from_ref(v),
            Raw::Value(_) => {
                self.error(name, "must be a list of blocks");
                &[]
            }
        };
        if items.iter().any(is_unknown) {
            return Setting::Unknown;
        }
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let mut path = self.path_of(name);
            path.push(PathStep::Index(i));
            let state = match item {
                Value::Object(m) => State::Present(m),
                _ => {
                    self.errors.push(path.clone(), "must be a block");
                    continue;
                }
            };
            out.push(Section {
                schema,
                state,
                here: path.clone(),
                path,
                errors: self.errors,
                filled: Map::new(),
                root: false,
            });
        }
        Setting::Known(out)
    }

    fn block_schema(&self, name: &str) -> &'a Schema {
        static EMPTY: std::sync::OnceLock<Schema> = std::sync::OnceLock::new();
        match self.schema.find_block(name) {
            Some(b) => &b.schema,
            None => EMPTY.get_or_init(Schema::default),
        }
    }

    /// Puts a block read with [`Section::block`], filled, back into this section, in the
    /// shape its nesting has in Terraform: an object (or null) for [`Nesting::Single`], a
    /// list of at most one object for a [`Nesting::List`] with `max: 1`.
    pub fn put_block(&mut self, name: &str, block: Section<'a>) {
        let listed = matches!(
            self.schema.find_block(name).map(|b| b.nesting),
            Some(Nesting::List { .. })
        );
        let value = match (block.finish(), listed) {
            (Value::Null, true) => Value::Array(Vec::new()),
            (v, true) if !is_unknown(&v) => Value::Array(vec![v]),
            (v, _) => v,
        };
        self.set(name, value);
    }

    /// Puts repeated blocks back; an unknown list stays unknown.
    pub fn put_blocks(&mut self, name: &str, blocks: Setting<Vec<Section<'a>>>) {
        let value = match blocks {
            Setting::Known(list) => Value::Array(list.into_iter().map(Section::finish).collect()),
            Setting::Unknown => match self.raw(name) {
                Raw::Value(v) => v.clone(),
                _ => unknown(),
            },
        };
        self.set(name, value);
    }

    /// Checks for attributes the schema does not have and returns the filled section: an
    /// object when the block was written, null when absent, the unknown marker when unknown.
    pub fn finish(self) -> Value {
        let m = match self.state {
            State::Absent => return Value::Null,
            State::Unknown => return unknown(),
            State::Present(m) => m,
        };
        for key in m.keys() {
            let known = self.schema.find_attribute(key).is_some()
                || self.schema.find_block(key).is_some()
                || (self.root && PROVIDER_ATTRIBUTES.contains(&key.as_str()));
            if !known {
                self.error(key, "is not an argument of this block");
            }
        }
        // Computed attributes (outputs) and the provider's own attributes are not configuration.
        let mut filled = self.filled;
        filled.retain(|k, _| {
            self.schema
                .find_attribute(k)
                .is_none_or(|a| a.presence != Presence::Computed)
        });
        Value::Object(filled)
    }
}

/// A number as JSON, whole numbers as integers (`100`, not `100.0`).
pub fn number_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// Terraform converts numbers and bools to strings where a string is expected.
fn as_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Numbers, and strings holding numbers (Terraform converts them).
fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn quoted(items: &[&str]) -> String {
    items.iter().map(|i| format!("{i:?}")).collect::<Vec<_>>().join(", ")
}

/// Renders a path for messages: `handler.timeout`, `notifications.subscription[0].endpoint`,
/// `tags["Env"]`.
pub fn display_path(path: &[PathStep]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            PathStep::Attribute(a) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(a);
            }
            PathStep::Index(i) => out.push_str(&format!("[{i}]")),
            PathStep::Key(k) => out.push_str(&format!("[{k:?}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::{Attribute, Nesting, Type};

    fn schema() -> Schema {
        Schema::new("t")
            .attribute(Attribute::required("name", Type::String, "n"))
            .attribute(Attribute::computed("out", Type::String, "o"))
            .block(
                "inner",
                Nesting::Single,
                Schema::new("i")
                    .attribute(Attribute::defaulted("size", Type::Number, json!(5), "s"))
                    .attribute(Attribute::defaulted("mode", Type::String, json!("a"), "m")),
            )
            .block(
                "once",
                Nesting::List { min: 1, max: 1 },
                Schema::new("o").attribute(Attribute::defaulted("on", Type::Bool, json!(true), "o")),
            )
            .block(
                "item",
                Nesting::List { min: 0, max: 0 },
                Schema::new("x").attribute(Attribute::required("v", Type::String, "v")),
            )
    }

    fn read(config: &Value) -> (Value, Vec<ConfigError>, Option<Setting<i64>>) {
        let s = schema();
        let errors = Errors::new();
        let mut root = Section::root(&s, config, &errors);
        root.required_string("name");
        let mut inner = root.block("inner");
        let size = inner.int("size", 1..=10);
        inner.one_of("mode", &["a", "b"]);
        root.put_block("inner", inner);
        let mut once = root.block("once");
        once.bool("on");
        root.put_block("once", once);
        let items = root.blocks("item");
        let items = items.map(|list| {
            list.into_iter()
                .map(|mut b| {
                    b.required_string("v");
                    b
                })
                .collect()
        });
        root.put_blocks("item", items);
        let filled = root.finish();
        (filled, errors.into_vec(), size)
    }

    fn paths(errors: &[ConfigError]) -> Vec<String> {
        errors.iter().map(|e| display_path(&e.path)).collect()
    }

    #[test]
    fn defaults_fill_written_blocks_and_absent_blocks_stay_absent() {
        let (filled, errors, size) = read(&json!({ "name": "x", "inner": [{}], "out": "ignored" }));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(size, Some(Setting::Known(5)));
        assert_eq!(
            filled,
            json!({ "name": "x", "inner": { "size": 5, "mode": "a" }, "once": [], "item": [] })
        );
        let (filled, _, _) = read(&json!({ "name": "x", "once": [{}] }));
        assert_eq!(filled["once"], json!([{ "on": true }]), "a list block stays a list");
        let (filled, _, size) = read(&json!({ "name": "x" }));
        assert_eq!(size, Some(Setting::Known(5)), "the expansion still gets the default");
        assert_eq!(filled["inner"], Value::Null);
    }

    #[test]
    fn errors_carry_paths() {
        let (_, errors, _) = read(&json!({
            "inner": { "size": 11, "mode": "c", "typo": 1 },
            "item": [{ "v": "ok" }, {}],
        }));
        assert_eq!(
            paths(&errors),
            ["name", "inner.size", "inner.mode", "inner.typo", "item[1].v"]
        );
        assert_eq!(errors[1].message, "must be between 1 and 10, not 11");
        let (_, errors, _) = read(&json!({ "name": "x", "inner": { "size": 2.5 } }));
        assert_eq!(errors[0].message, "must be a whole number, not 2.5");
        // Terraform addresses the attributes of a list-nested block through its index.
        let (_, errors, _) = read(&json!({ "name": "x", "once": [{ "on": 3 }] }));
        assert_eq!(paths(&errors), ["once[0].on"]);
    }

    #[test]
    fn unknown_values_and_blocks_pass_through() {
        let (filled, errors, size) =
            read(&json!({ "name": unknown(), "inner": { "size": unknown() }, "item": [unknown()] }));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(size, Some(Setting::Unknown));
        assert!(is_unknown(&filled["name"]) && is_unknown(&filled["inner"]["size"]));
        assert_eq!(filled["item"], json!([unknown()]));
        let (filled, errors, size) = read(&json!({ "name": "x", "inner": [unknown()] }));
        assert!(errors.is_empty());
        assert_eq!(size, Some(Setting::Unknown));
        assert!(is_unknown(&filled["inner"]));
    }

    #[test]
    fn terraform_conversions_are_accepted() {
        let (filled, errors, size) = read(&json!({ "name": 7, "inner": { "size": "3" } }));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(size, Some(Setting::Known(3)));
        assert_eq!(filled["name"], "7");
    }
}
