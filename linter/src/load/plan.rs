//! Terraform plan JSON (`terraform show -json plan.out`, format 1.x) into a [`Graph`].
//!
//! Planned values give the attributes; `resource_changes[].change.after_unknown` marks what
//! is only known after apply; `configuration` gives the references between resources, so
//! rules see the same graph as from HCL: an attribute whose expression references a
//! resource is `Value::Unknown(refs)`, exactly as the HCL evaluator produces it.
//!
//! Plan JSON carries no line numbers: a resource points at its `"address": "…"` entry in
//! `planned_values`. A state document (`terraform show -json` without a plan) is read the
//! same way from its `values` section.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value as Json;

use super::config::LoadError;
use super::source::SourceFile;
use crate::composite;
use crate::graph::{Graph, Location, Ref, Resource, Value};

type JMap = serde_json::Map<String, Json>;

/// How much of the head of a document [`looks_like_plan`] reads.
const SNIFF_BYTES: usize = 8 * 1024;
/// Bound on following module outputs and variables through module calls.
const MAX_DEPTH: usize = 32;

/// True when a JSON document looks like a Terraform plan (or `terraform show -json` state):
/// an object whose head has `"format_version"` and one of the keys Terraform writes next to it.
/// Only the first few KB are read, so this is cheap enough to run on every `.json` file.
pub fn looks_like_plan(text: &str) -> bool {
    let mut n = text.len().min(SNIFF_BYTES);
    while !text.is_char_boundary(n) {
        n -= 1;
    }
    let head = &text[..n];
    head.trim_start_matches('\u{feff}').trim_start().starts_with('{')
        && head.contains("\"format_version\"")
        && [
            "\"planned_values\"",
            "\"resource_changes\"",
            "\"terraform_version\"",
            "\"prior_state\"",
        ]
        .iter()
        .any(|k| head.contains(k))
}

/// Loads one plan file into a graph of resource instances; problems with composites'
/// configurations (which Terraform would have rejected) are dropped, see
/// [`load_plan_with_errors`].
pub fn load_plan(src: &SourceFile) -> Result<Graph, LoadError> {
    load_plan_with_errors(src).map(|(graph, _)| graph)
}

/// Loads one plan file into a graph of resource instances, with the configuration errors
/// of the `wellarch_*` composites it expands, located at each composite's address entry.
pub fn load_plan_with_errors(src: &SourceFile) -> Result<(Graph, Vec<LoadError>), LoadError> {
    let text = src.text.trim_start_matches('\u{feff}');
    let json: Json = serde_json::from_str(text).map_err(|e| LoadError {
        file: src.path.to_string(),
        // serde_json reports column 0 at the end of input; positions are 1-based.
        line: (e.line() as u32).max(1),
        column: (e.column() as u32).max(1),
        message: format!("invalid plan JSON: {e}"),
    })?;
    let Some(doc) = json.as_object() else {
        return Err(LoadError {
            file: src.path.to_string(),
            line: 1,
            column: 1,
            message: "a plan must be a JSON object".into(),
        });
    };
    let mut resources = build(src, doc);
    let errors = expand_composites(&mut resources);
    Ok((Graph::new(src.path.to_string(), resources), errors))
}

/// Expands every `wellarch_*` composite instance of the plan into its children, and links
/// references to composite outputs to them.
fn expand_composites(resources: &mut Vec<Resource>) -> Vec<LoadError> {
    let mut errors = Vec::new();
    let mut outputs = Vec::new();
    let mut children = Vec::new();
    for r in resources.iter().filter(|r| !r.data) {
        let Some(kind) = composite::kind_of(&r.rtype) else {
            continue;
        };
        let site = composite::Site {
            address: &r.address,
            location: &r.location,
            lines: r.lines,
        };
        match composite::expand(&kind, &r.attrs, &site, &r.base) {
            Ok(expanded) => {
                children.extend(expanded.children);
                outputs.push(expanded.outputs);
            }
            Err(problems) => errors.extend(problems.into_iter().map(|(_, message)| LoadError {
                file: r.location.file.to_string(),
                line: r.location.line,
                column: r.location.column,
                message: format!("{}: {message}", r.address),
            })),
        }
    }
    resources.extend(children);
    composite::link_outputs(resources, &outputs);
    errors
}

fn build(src: &SourceFile, doc: &JMap) -> Vec<Resource> {
    // Instances, in document order: planned values (or state values), then data sources read
    // during planning, which Terraform records in the prior state only.
    let mut instances: Vec<&JMap> = Vec::new();
    let planned = doc
        .get("planned_values")
        .or_else(|| doc.get("values"))
        .and_then(|v| v.get("root_module"))
        .and_then(Json::as_object);
    match planned {
        Some(root) => collect_module(root, &mut instances, 0),
        None => instances.extend(changed_instances(doc)),
    }
    let mut seen: HashSet<&str> = instances.iter().filter_map(|r| str_field(r, "address")).collect();
    let mut prior = Vec::new();
    if let Some(root) = path(doc, &["prior_state", "values", "root_module"]).and_then(Json::as_object) {
        collect_module(root, &mut prior, 0);
    }
    for r in prior {
        if str_field(r, "mode") == Some("data") && str_field(r, "address").is_some_and(|a| seen.insert(a)) {
            instances.push(r);
        }
    }

    let unknown: HashMap<&str, &Json> = array_field(doc, "resource_changes")
        .iter()
        .filter_map(Json::as_object)
        .filter_map(|rc| Some((str_field(rc, "address")?, path(rc, &["change", "after_unknown"])?)))
        .collect();
    let config_root = path(doc, &["configuration", "root_module"]).and_then(Json::as_object);
    let offsets = address_offsets(&src.text);

    let parsed: Vec<(&JMap, Address)> = instances
        .into_iter()
        .filter_map(|r| Some((r, parse_resource_address(str_field(r, "address")?)?)))
        .collect();
    // Every module instance that exists, so `module.x.out` of a counted module can be
    // resolved to each of its instances.
    let mut module_instances: HashSet<String> = HashSet::new();
    for (_, a) in &parsed {
        let mut prefix = String::new();
        for (name, index) in &a.modules {
            prefix.push_str(&module_segment(name, index.as_deref()));
            module_instances.insert(prefix.clone());
            prefix.push('.');
        }
    }

    let mut config_index: HashMap<String, HashMap<String, &JMap>> = HashMap::new();
    let mut out = Vec::with_capacity(parsed.len());
    for (r, a) in parsed {
        let address = a.full();
        let module = a.module_prefix();
        // Planned values have `values`; resource changes (the fallback) have `change.after`.
        let mut attrs = match r.get("values").or_else(|| path(r, &["change", "after"])) {
            Some(values @ Json::Object(_)) => Value::from_json(values),
            _ => Value::Map(BTreeMap::new()),
        };
        if let Some(u) = unknown.get(address.as_str()) {
            overlay_unknown(&mut attrs, u);
        }
        let frames = config_root.map(|root| frames_for(root, &a.modules)).unwrap_or_default();
        let exprs = frames
            .last()
            .and_then(|frame| {
                let key: Vec<&str> = a.modules.iter().map(|(n, _)| n.as_str()).collect();
                config_index
                    .entry(key.join("."))
                    .or_insert_with(|| index_config(frame.module))
                    .get(&a.local())
                    .copied()
            })
            .and_then(|c| c.get("expressions"))
            .and_then(Json::as_object);
        if let (Some(exprs), Value::Map(map)) = (exprs, &mut attrs) {
            Resolver {
                module_instances: &module_instances,
            }
            .apply_body(exprs, map, &frames);
            // Unknown only because the provider computes a default the user did not set
            // (`redrive_policy`, `encrypted`): absent, as it is when reading the HCL.
            for (key, value) in map.iter_mut() {
                if matches!(value, Value::Unknown(refs) if refs.is_empty()) && !exprs.contains_key(key) {
                    *value = Value::Null;
                }
            }
        }
        let location = match offsets.get(address.as_str()) {
            Some(&(start, end)) => src.location(Some(start..end)),
            None => Location {
                file: src.path.clone(),
                line: 1,
                column: 1,
                offset: 0,
                len: 0,
            },
        };
        let line = location.line;
        out.push(Resource {
            base: a.base(),
            module,
            data: str_field(r, "mode").map_or(a.data, |m| m == "data"),
            rtype: str_field(r, "type").map_or_else(|| a.rtype.clone(), str::to_string),
            name: str_field(r, "name").map_or_else(|| a.name.clone(), str::to_string),
            address,
            attrs,
            location,
            attr_locations: BTreeMap::new(),
            lines: (line, line),
            origin: None,
        });
    }
    out
}

/// Resources of a module in planned/state values and of its child modules, depth first.
fn collect_module<'a>(module: &'a JMap, out: &mut Vec<&'a JMap>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    out.extend(array_field(module, "resources").iter().filter_map(Json::as_object));
    for child in array_field(module, "child_modules").iter().filter_map(Json::as_object) {
        collect_module(child, out, depth + 1);
    }
}

/// Without planned values: the `after` side of every change that keeps the resource.
fn changed_instances(doc: &JMap) -> Vec<&JMap> {
    array_field(doc, "resource_changes")
        .iter()
        .filter_map(Json::as_object)
        .filter(|rc| {
            let actions = path(rc, &["change", "actions"]).and_then(Json::as_array);
            !actions.is_some_and(|a| a.len() == 1 && a[0] == "delete")
        })
        .collect()
}

fn str_field<'a>(m: &'a JMap, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Json::as_str)
}

fn array_field<'a>(m: &'a JMap, key: &str) -> &'a [Json] {
    m.get(key).and_then(Json::as_array).map_or(&[], Vec::as_slice)
}

fn path<'a>(m: &'a JMap, keys: &[&str]) -> Option<&'a Json> {
    let (first, rest) = keys.split_first()?;
    let mut v = m.get(*first)?;
    for k in rest {
        v = v.get(*k)?;
    }
    Some(v)
}

/// Marks what `after_unknown` says is unknown (`true`), adding attributes the planned
/// values leave out.
fn overlay_unknown(v: &mut Value, u: &Json) {
    match u {
        Json::Bool(true) => *v = Value::unknown(),
        Json::Object(fields) => {
            if !fields.values().any(has_true) {
                return;
            }
            if v.is_null() {
                *v = Value::Map(BTreeMap::new());
            }
            if let Value::Map(map) = v {
                for (k, uu) in fields {
                    if has_true(uu) {
                        overlay_unknown(map.entry(k.clone()).or_default(), uu);
                    }
                }
            }
        }
        Json::Array(items) => {
            if v.is_null() {
                *v = Value::List(vec![Value::Null; items.len()]);
            }
            if let Value::List(list) = v {
                for (item, uu) in list.iter_mut().zip(items) {
                    overlay_unknown(item, uu);
                }
            }
        }
        _ => {}
    }
}

fn has_true(u: &Json) -> bool {
    match u {
        Json::Bool(b) => *b,
        Json::Object(m) => m.values().any(has_true),
        Json::Array(items) => items.iter().any(has_true),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Addresses

/// One step of a Terraform address: a name, or an index as written (`0`, `"a"`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Name(String),
    Index(String),
}

/// Splits `module.a["k"].aws_x.y[0].attr` into names and raw index texts.
/// `None` when brackets or quotes do not close.
fn split_address(s: &str) -> Option<Vec<Seg>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'.' => i += 1,
            b'[' => {
                let start = i + 1;
                let mut j = start;
                if b.get(j) == Some(&b'"') {
                    j += 1;
                    while j < b.len() && b[j] != b'"' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                    j += 1;
                }
                while j < b.len() && b[j] != b']' {
                    j += 1;
                }
                if j >= b.len() {
                    return None;
                }
                out.push(Seg::Index(s.get(start..j)?.trim().to_string()));
                i = j + 1;
            }
            _ => {
                let start = i;
                while i < b.len() && b[i] != b'.' && b[i] != b'[' {
                    i += 1;
                }
                out.push(Seg::Name(s.get(start..i)?.to_string()));
            }
        }
    }
    Some(out)
}

/// A resource instance address, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Address {
    /// `module.NAME[INDEX]` steps from the root.
    modules: Vec<(String, Option<String>)>,
    data: bool,
    rtype: String,
    name: String,
    index: Option<String>,
}

impl Address {
    fn module_prefix(&self) -> String {
        self.modules
            .iter()
            .map(|(n, i)| module_segment(n, i.as_deref()))
            .collect::<Vec<_>>()
            .join(".")
    }

    /// The address without module prefix and instance key: `aws_x.y`, `data.aws_x.y`.
    fn local(&self) -> String {
        format!("{}{}.{}", if self.data { "data." } else { "" }, self.rtype, self.name)
    }

    fn base(&self) -> String {
        let module = self.module_prefix();
        if module.is_empty() {
            self.local()
        } else {
            format!("{module}.{}", self.local())
        }
    }

    fn full(&self) -> String {
        match &self.index {
            Some(i) => format!("{}[{i}]", self.base()),
            None => self.base(),
        }
    }
}

fn module_segment(name: &str, index: Option<&str>) -> String {
    match index {
        Some(i) => format!("module.{name}[{i}]"),
        None => format!("module.{name}"),
    }
}

fn parse_resource_address(s: &str) -> Option<Address> {
    let segs = split_address(s)?;
    let mut i = 0;
    let mut modules = Vec::new();
    while matches!(segs.get(i), Some(Seg::Name(n)) if n == "module") {
        let Some(Seg::Name(name)) = segs.get(i + 1) else {
            return None;
        };
        i += 2;
        let index = match segs.get(i) {
            Some(Seg::Index(ix)) => {
                i += 1;
                Some(ix.clone())
            }
            _ => None,
        };
        modules.push((name.clone(), index));
    }
    let data = matches!(segs.get(i), Some(Seg::Name(n)) if n == "data");
    if data {
        i += 1;
    }
    let (Some(Seg::Name(rtype)), Some(Seg::Name(name))) = (segs.get(i), segs.get(i + 1)) else {
        return None;
    };
    let index = match segs.get(i + 2) {
        Some(Seg::Index(ix)) => Some(ix.clone()),
        None => None,
        Some(Seg::Name(_)) => return None,
    };
    if segs.len() > i + 2 + usize::from(index.is_some()) {
        return None;
    }
    Some(Address {
        modules,
        data,
        rtype: rtype.clone(),
        name: name.clone(),
        index,
    })
}

/// Where each address is written in the document: the first `"address": "<addr>"` from
/// `planned_values` on (byte range of key and value). One pass over the text.
fn address_offsets(text: &str) -> HashMap<String, (usize, usize)> {
    const KEY: &str = "\"address\"";
    let start = text
        .find("\"planned_values\"")
        .or_else(|| text.find("\"values\""))
        .unwrap_or(0);
    let mut out = HashMap::new();
    for (pos, _) in text[start..].match_indices(KEY) {
        let at = start + pos;
        let Some(after_colon) = text[at + KEY.len()..].trim_start().strip_prefix(':') else {
            continue;
        };
        let value = after_colon.trim_start();
        let value_start = text.len() - value.len();
        let mut de = serde_json::Deserializer::from_str(value);
        if let Ok(addr) = String::deserialize(&mut de) {
            let end = value_start + de.into_iter::<Json>().byte_offset();
            out.entry(addr).or_insert((at, end));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Configuration: references

/// A configuration module on the way from the root to a resource.
struct Frame<'a> {
    module: &'a JMap,
    /// Instance prefix of resources in this module, with a trailing dot (or empty).
    prefix: String,
    /// The `module_calls` entry in the parent that instantiates this module.
    call: Option<&'a JMap>,
}

/// The configuration modules from the root to `modules` (fewer when the configuration
/// lacks one of them).
fn frames_for<'a>(root: &'a JMap, modules: &[(String, Option<String>)]) -> Vec<Frame<'a>> {
    let mut frames = vec![Frame {
        module: root,
        prefix: String::new(),
        call: None,
    }];
    for (name, index) in modules {
        let Some(parent) = frames.last() else { break };
        let call = parent
            .module
            .get("module_calls")
            .and_then(|c| c.get(name))
            .and_then(Json::as_object);
        let Some((call, module)) = call.and_then(|c| Some((c, c.get("module")?.as_object()?))) else {
            return Vec::new();
        };
        let prefix = format!("{}{}.", parent.prefix, module_segment(name, index.as_deref()));
        frames.push(Frame {
            module,
            prefix,
            call: Some(call),
        });
    }
    frames
}

/// The configuration entries of a module's resources by local address (`aws_x.y`,
/// `data.aws_x.y`).
fn index_config(module: &JMap) -> HashMap<String, &JMap> {
    let mut out = HashMap::new();
    for c in array_field(module, "resources").iter().filter_map(Json::as_object) {
        let address = match (str_field(c, "address"), str_field(c, "type"), str_field(c, "name")) {
            (Some(a), _, _) => a.to_string(),
            (None, Some(t), Some(n)) if str_field(c, "mode") == Some("data") => format!("data.{t}.{n}"),
            (None, Some(t), Some(n)) => format!("{t}.{n}"),
            _ => continue,
        };
        out.entry(address).or_insert(c);
    }
    out
}

/// An expression object: `{"constant_value": …}`, `{"references": […]}`, or `{}`.
fn is_expression(m: &JMap) -> bool {
    m.keys().all(|k| k == "constant_value" || k == "references")
        && m.get("references")
            .is_none_or(|r| r.as_array().is_some_and(|a| a.iter().all(Json::is_string)))
}

fn reference_strings(m: &JMap) -> Vec<&str> {
    array_field(m, "references").iter().filter_map(Json::as_str).collect()
}

struct Resolver<'a> {
    module_instances: &'a HashSet<String>,
}

impl Resolver<'_> {
    /// Walks the expressions of a block body alongside its planned value.
    fn apply_body(&self, exprs: &JMap, value: &mut BTreeMap<String, Value>, frames: &[Frame]) {
        for (key, expr) in exprs {
            match expr {
                Json::Object(e) if is_expression(e) => {
                    let refs = self.resolve(&reference_strings(e), frames, 0);
                    if !refs.is_empty() {
                        value.insert(key.clone(), Value::Unknown(refs));
                    } else {
                        // Configured but absent from the planned values: not known yet.
                        value.entry(key.clone()).or_insert_with(Value::unknown);
                    }
                }
                Json::Object(block) => {
                    self.apply_blocks(std::slice::from_ref(expr), key, block.is_empty(), value, frames)
                }
                Json::Array(blocks) if blocks.iter().all(Json::is_object) => {
                    self.apply_blocks(blocks, key, blocks.is_empty(), value, frames)
                }
                _ => {}
            }
        }
    }

    /// Nested blocks: configuration block `i` goes with planned block `i`.
    fn apply_blocks(
        &self,
        blocks: &[Json],
        key: &str,
        empty: bool,
        value: &mut BTreeMap<String, Value>,
        frames: &[Frame],
    ) {
        let Some(slot) = value.get_mut(key) else {
            if !empty {
                let mut refs = Vec::new();
                for b in blocks {
                    self.block_refs(b, frames, &mut refs);
                }
                value.insert(key.to_string(), Value::Unknown(most_specific(refs)));
            }
            return;
        };
        match slot {
            Value::List(items) => {
                for (item, b) in items.iter_mut().zip(blocks) {
                    if let (Value::Map(m), Json::Object(e)) = (item, b) {
                        self.apply_body(e, m, frames);
                    }
                }
            }
            Value::Map(m) => {
                if let Some(Json::Object(e)) = blocks.first() {
                    self.apply_body(e, m, frames);
                }
            }
            _ => {}
        }
    }

    fn block_refs(&self, block: &Json, frames: &[Frame], out: &mut Vec<Ref>) {
        match block {
            Json::Object(e) if is_expression(e) => out.extend(self.resolve(&reference_strings(e), frames, 0)),
            Json::Object(e) => e.values().for_each(|v| self.block_refs(v, frames, out)),
            Json::Array(items) => items.iter().for_each(|v| self.block_refs(v, frames, out)),
            _ => {}
        }
    }

    /// Resource references among Terraform's reference strings, seen from the last frame,
    /// with module outputs and module variables followed to the resources behind them.
    fn resolve(&self, refs: &[&str], frames: &[Frame], depth: usize) -> Vec<Ref> {
        let mut out = Vec::new();
        if depth > MAX_DEPTH {
            return out;
        }
        let Some(frame) = frames.last() else { return out };
        for s in refs {
            // Terraform lists `module.m` next to `module.m.out`: only the longer one counts.
            if refs
                .iter()
                .any(|t| t.len() > s.len() && t.starts_with(s) && t[s.len()..].starts_with(['.', '[']))
            {
                continue;
            }
            let Some(segs) = split_address(s) else { continue };
            let Some(Seg::Name(root)) = segs.first() else { continue };
            match root.as_str() {
                "local" | "each" | "count" | "path" | "terraform" | "self" => {}
                "var" => {
                    let Some(Seg::Name(var)) = segs.get(1) else { continue };
                    let Some(call) = frame.call else { continue };
                    let Some(e) = call
                        .get("expressions")
                        .and_then(|e| e.get(var))
                        .and_then(Json::as_object)
                    else {
                        continue;
                    };
                    let inner = reference_strings(e);
                    out.extend(self.resolve(&inner, &frames[..frames.len() - 1], depth + 1));
                }
                "module" => out.extend(self.module_output(&segs, frames, depth)),
                _ => out.extend(resource_ref(&segs, &frame.prefix)),
            }
        }
        most_specific(out)
    }

    /// `module.NAME[KEY].OUTPUT…`: the references of that output's expression.
    fn module_output(&self, segs: &[Seg], frames: &[Frame], depth: usize) -> Vec<Ref> {
        let mut out = Vec::new();
        let Some(frame) = frames.last() else { return out };
        let Some(Seg::Name(name)) = segs.get(1) else { return out };
        let Some(call) = frame
            .module
            .get("module_calls")
            .and_then(|c| c.get(name))
            .and_then(Json::as_object)
        else {
            return out;
        };
        let Some(module) = call.get("module").and_then(Json::as_object) else {
            return out;
        };
        let (index, rest) = match segs.get(2) {
            Some(Seg::Index(i)) => (Some(i.as_str()), &segs[3..]),
            _ => (None, segs.get(2..).unwrap_or(&[])),
        };
        let expanded = call.contains_key("count_expression") || call.contains_key("for_each_expression");
        let prefixes: Vec<String> = match index {
            Some(i) => vec![format!("{}{}", frame.prefix, module_segment(name, Some(i)))],
            None if expanded => {
                let head = format!("{}module.{name}[", frame.prefix);
                let mut p: Vec<String> = self
                    .module_instances
                    .iter()
                    .filter(|m| {
                        m.starts_with(&head) && split_address(m).is_some_and(|s| s.len() == segs_len(frame) + 3)
                    })
                    .cloned()
                    .collect();
                p.sort();
                p
            }
            None => vec![format!("{}module.{name}", frame.prefix)],
        };
        let outputs: Vec<&JMap> = match rest.first() {
            Some(Seg::Name(output)) => module
                .get("outputs")
                .and_then(|o| o.get(output))
                .and_then(Json::as_object)
                .into_iter()
                .collect(),
            _ => module
                .get("outputs")
                .and_then(Json::as_object)
                .map(|o| o.values().filter_map(Json::as_object).collect())
                .unwrap_or_default(),
        };
        for prefix in prefixes {
            let mut inner: Vec<Frame> = frames
                .iter()
                .map(|f| Frame {
                    module: f.module,
                    prefix: f.prefix.clone(),
                    call: f.call,
                })
                .collect();
            inner.push(Frame {
                module,
                prefix: format!("{prefix}."),
                call: Some(call),
            });
            for output in &outputs {
                let Some(e) = output.get("expression").and_then(Json::as_object) else {
                    continue;
                };
                out.extend(self.resolve(&reference_strings(e), &inner, depth + 1));
            }
        }
        out
    }
}

/// Number of address segments of a frame's prefix (`module.a[0].` → 3).
fn segs_len(frame: &Frame) -> usize {
    split_address(frame.prefix.trim_end_matches('.')).map_or(0, |s| s.len())
}

/// `TYPE.NAME[KEY].attr…` or `data.TYPE.NAME…` as a [`Ref`] under `prefix`.
fn resource_ref(segs: &[Seg], prefix: &str) -> Option<Ref> {
    let (kind, rest) = match segs {
        [Seg::Name(d), Seg::Name(t), rest @ ..] if d == "data" => (format!("data.{t}"), rest),
        [Seg::Name(t), rest @ ..] => (t.clone(), rest),
        _ => return None,
    };
    let [Seg::Name(name), rest @ ..] = rest else {
        return None;
    };
    let mut resource = format!("{prefix}{kind}.{name}");
    let rest = match rest {
        [Seg::Index(i), rest @ ..] => {
            resource.push_str(&format!("[{i}]"));
            rest
        }
        _ => rest,
    };
    let mut attr = String::new();
    for seg in rest {
        match seg {
            Seg::Name(n) => {
                if !attr.is_empty() {
                    attr.push('.');
                }
                attr.push_str(n);
            }
            // The HCL evaluator writes an expression index inside an attribute path as `[*]`.
            Seg::Index(_) => attr.push_str("[*]"),
        }
    }
    Some(Ref { resource, attr })
}

/// Drops every reference that a more specific one covers (`aws_q.dlq` next to
/// `aws_q.dlq.arn`, `aws_s.a` next to `aws_s.a[0].id`), and duplicates.
fn most_specific(refs: Vec<Ref>) -> Vec<Ref> {
    let covers = |general: &Ref, specific: &Ref| -> bool {
        if general == specific {
            return false;
        }
        let same_or_instance = specific.resource == general.resource
            || (specific.resource.starts_with(&general.resource)
                && specific.resource[general.resource.len()..].starts_with('['));
        let attr_prefix = general.attr.is_empty()
            || specific.attr == general.attr
            || (specific.attr.starts_with(&general.attr)
                && specific.attr[general.attr.len()..].starts_with(['.', '[']));
        same_or_instance && attr_prefix
    };
    let mut out: Vec<Ref> = Vec::new();
    for r in &refs {
        if refs.iter().any(|s| covers(r, s)) || out.contains(r) {
            continue;
        }
        out.push(r.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(text: &str) -> Graph {
        load_plan(&SourceFile::new("plan.json", text.to_string())).expect("loads")
    }

    fn r(resource: &str, attr: &str) -> Ref {
        Ref {
            resource: resource.into(),
            attr: attr.into(),
        }
    }

    #[test]
    fn detects_plans_by_content() {
        assert!(looks_like_plan(
            r#"{"format_version":"1.0","terraform_version":"1.0.3","planned_values":{}}"#
        ));
        assert!(!looks_like_plan(r#"{"resource":{"aws_sqs_queue":{"q":{}}}}"#));
        assert!(!looks_like_plan("[1, 2]"));
        assert!(!looks_like_plan(""));
        // Cut inside a multi-byte character.
        let long = format!(
            "{{\"format_version\":\"1.0\",\"planned_values\":\"{}\"}}",
            "é".repeat(9000)
        );
        assert!(looks_like_plan(&long));
    }

    const ROOT: &str = r#"{
  "format_version": "1.0",
  "planned_values": {
    "root_module": {
      "resources": [
        {
          "address": "aws_sqs_queue.dlq",
          "mode": "managed", "type": "aws_sqs_queue", "name": "dlq",
          "values": { "name": "jobs-dlq", "tags": { "team": "a" } }
        },
        {
          "address": "aws_sqs_queue.jobs",
          "mode": "managed", "type": "aws_sqs_queue", "name": "jobs",
          "values": { "name": "jobs", "visibility_timeout_seconds": 30 }
        }
      ]
    }
  },
  "resource_changes": [
    { "address": "aws_sqs_queue.dlq", "change": { "after_unknown": { "arn": true, "id": true } } },
    { "address": "aws_sqs_queue.jobs", "change": { "after_unknown": { "arn": true, "redrive_policy": true } } }
  ],
  "configuration": {
    "root_module": {
      "resources": [
        { "address": "aws_sqs_queue.dlq", "mode": "managed", "type": "aws_sqs_queue", "name": "dlq",
          "expressions": { "name": { "constant_value": "jobs-dlq" } } },
        { "address": "aws_sqs_queue.jobs", "mode": "managed", "type": "aws_sqs_queue", "name": "jobs",
          "expressions": {
            "name": { "references": ["var.name"] },
            "redrive_policy": { "references": ["aws_sqs_queue.dlq.arn", "aws_sqs_queue.dlq"] }
          } }
      ]
    }
  }
}"#;

    #[test]
    fn root_resources_with_unknowns_and_references() {
        let g = graph(ROOT);
        assert_eq!(g.resources.len(), 2);
        let dlq = g.get("aws_sqs_queue.dlq").expect("dlq");
        assert_eq!(
            (dlq.base.as_str(), dlq.module.as_str(), dlq.data),
            ("aws_sqs_queue.dlq", "", false)
        );
        assert_eq!(dlq.str_attr("name"), Some("jobs-dlq"));
        // Computed by the provider and not configured: absent, as when reading the HCL.
        assert_eq!(dlq.attr("arn"), None);
        assert_eq!((dlq.location.line, dlq.location.column), (7, 11));
        let jobs = g.get("aws_sqs_queue.jobs").expect("jobs");
        // A variable reference keeps the planned value.
        assert_eq!(jobs.str_attr("name"), Some("jobs"));
        assert_eq!(
            jobs.attr("redrive_policy"),
            Some(&Value::Unknown(vec![r("aws_sqs_queue.dlq", "arn")]))
        );
        assert_eq!(jobs.lines, (12, 12));
        let referrers = g.referrers_via(dlq, "aws_sqs_queue", Some("redrive_policy"));
        assert_eq!(referrers.len(), 1);
    }

    #[test]
    fn module_resources_follow_outputs_and_variables() {
        let text = r#"{
  "format_version": "1.0",
  "planned_values": { "root_module": {
    "resources": [
      { "address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main", "values": {} }
    ],
    "child_modules": [ { "address": "module.data", "resources": [
      { "address": "module.data.aws_db_subnet_group.db", "mode": "managed", "type": "aws_db_subnet_group",
        "name": "db", "values": { "name": "db" } },
      { "address": "module.data.aws_db_instance.x[0]", "mode": "managed", "type": "aws_db_instance",
        "name": "x", "index": 0, "values": { "engine": "postgres", "db_subnet_group_name": "db" } }
    ] } ,
    { "address": "module.app", "resources": [
      { "address": "module.app.aws_security_group.sg", "mode": "managed", "type": "aws_security_group",
        "name": "sg", "values": { "ingress": [ { "from_port": 5432, "cidr_blocks": ["10.0.0.0/8"] } ] } }
    ] } ]
  } },
  "configuration": { "root_module": {
    "resources": [ { "address": "aws_vpc.main", "mode": "managed", "type": "aws_vpc", "name": "main", "expressions": {} } ],
    "module_calls": {
      "data": { "source": "./data", "expressions": { "vpc_id": { "references": ["aws_vpc.main.id", "aws_vpc.main"] } },
        "module": {
          "resources": [
            { "address": "aws_db_subnet_group.db", "mode": "managed", "type": "aws_db_subnet_group", "name": "db",
              "expressions": { "name": { "constant_value": "db" } } },
            { "address": "aws_db_instance.x", "mode": "managed", "type": "aws_db_instance", "name": "x",
              "count_expression": { "constant_value": 1 },
              "expressions": {
                "db_subnet_group_name": { "references": ["aws_db_subnet_group.db.name", "aws_db_subnet_group.db"] },
                "engine": { "constant_value": "postgres" } } }
          ],
          "outputs": { "group": { "expression": { "references": ["aws_db_subnet_group.db.name", "aws_db_subnet_group.db"] } },
                       "vpc": { "expression": { "references": ["var.vpc_id"] } } }
        } },
      "app": { "source": "./app",
        "expressions": { "db_group": { "references": ["module.data.group", "module.data"] } },
        "module": { "resources": [
          { "address": "aws_security_group.sg", "mode": "managed", "type": "aws_security_group", "name": "sg",
            "expressions": {
              "vpc_id": { "references": ["var.vpc"] },
              "description": { "references": ["var.db_group"] },
              "ingress": [ { "from_port": { "constant_value": 5432 }, "cidr_blocks": { "constant_value": ["10.0.0.0/8"] },
                             "security_groups": { "references": ["var.db_group"] } } ] } } ] } }
    }
  } }
}"#;
        let g = graph(text);
        let db = g.get("module.data.aws_db_instance.x[0]").expect("db");
        assert_eq!(db.base, "module.data.aws_db_instance.x");
        assert_eq!(db.module, "module.data");
        assert_eq!((db.rtype.as_str(), db.name.as_str()), ("aws_db_instance", "x"));
        assert_eq!(
            db.attr("db_subnet_group_name"),
            Some(&Value::Unknown(vec![r("module.data.aws_db_subnet_group.db", "name")]))
        );
        assert_eq!(db.str_attr("engine"), Some("postgres"));
        let sg = g.get("module.app.aws_security_group.sg").expect("sg");
        // var.db_group → module.data.group → aws_db_subnet_group.db.name inside module.data.
        let group = Value::Unknown(vec![r("module.data.aws_db_subnet_group.db", "name")]);
        assert_eq!(sg.attr("description"), Some(&group));
        let ingress = sg.attrs.blocks("ingress");
        assert_eq!(ingress.len(), 1);
        assert_eq!(ingress[0].get("security_groups"), Some(&group));
        assert_eq!(ingress[0].get("from_port"), Some(&Value::Number(5432.0)));
        // var.vpc in module.app is not bound by the call (no such input): nothing to follow,
        // and the attribute is absent from planned values, so it is unknown.
        assert_eq!(sg.attr("vpc_id"), Some(&Value::unknown()));
        let vpc = g.get("aws_vpc.main").expect("vpc");
        assert!(g.referrers(vpc).is_empty());
    }

    #[test]
    fn count_instances_and_indexed_references() {
        let text = r#"{"format_version":"1.0","planned_values":{"root_module":{"resources":[
 {"address":"aws_subnet.a[0]","mode":"managed","type":"aws_subnet","name":"a","index":0,"values":{"cidr_block":"10.0.0.0/24"}},
 {"address":"aws_subnet.a[1]","mode":"managed","type":"aws_subnet","name":"a","index":1,"values":{"cidr_block":"10.0.1.0/24"}},
 {"address":"aws_route_table_association.x[\"k\"]","mode":"managed","type":"aws_route_table_association","name":"x","index":"k","values":{}}
]}},
"resource_changes":[{"address":"aws_route_table_association.x[\"k\"]","change":{"after_unknown":{"subnet_id":true,"id":true}}}],
"configuration":{"root_module":{"resources":[
 {"address":"aws_route_table_association.x","mode":"managed","type":"aws_route_table_association","name":"x",
  "for_each_expression":{"constant_value":{"k":1}},
  "expressions":{"subnet_id":{"references":["aws_subnet.a[0].id","aws_subnet.a[0]","aws_subnet.a"]}}}
]}}}"#;
        let g = graph(text);
        assert_eq!(g.resources.len(), 3);
        let a1 = g.get("aws_subnet.a[1]").expect("a[1]");
        assert_eq!(a1.base, "aws_subnet.a");
        assert_eq!(a1.location.line, 3);
        let x = g.get("aws_route_table_association.x[\"k\"]").expect("x");
        assert_eq!(x.base, "aws_route_table_association.x");
        assert_eq!(
            x.attr("subnet_id"),
            Some(&Value::Unknown(vec![r("aws_subnet.a[0]", "id")]))
        );
        assert_eq!(x.attr("id"), None, "computed, not configured: absent as in HCL");
        assert_eq!(x.location.line, 4);
        let a0 = g.get("aws_subnet.a[0]").expect("a[0]");
        assert_eq!(g.referrers(a0).len(), 1);
        assert!(g.referrers(a1).is_empty());
    }

    #[test]
    fn counted_module_outputs_resolve_to_every_instance() {
        let text = r#"{"format_version":"1.0","planned_values":{"root_module":{"resources":[
 {"address":"aws_lambda_function.f","mode":"managed","type":"aws_lambda_function","name":"f","values":{}}],
 "child_modules":[
  {"address":"module.q[0]","resources":[{"address":"module.q[0].aws_sqs_queue.q","mode":"managed","type":"aws_sqs_queue","name":"q","values":{}}]},
  {"address":"module.q[1]","resources":[{"address":"module.q[1].aws_sqs_queue.q","mode":"managed","type":"aws_sqs_queue","name":"q","values":{}}]}]}},
"resource_changes":[{"address":"aws_lambda_function.f","change":{"after_unknown":{"dead_letter_config":[{"target_arn":true}]}}}],
"configuration":{"root_module":{"resources":[
 {"address":"aws_lambda_function.f","mode":"managed","type":"aws_lambda_function","name":"f",
  "expressions":{"dead_letter_config":[{"target_arn":{"references":["module.q[1].arn","module.q[1]","module.q"]}}],
                 "environment":[{"variables":{"references":["module.q"]}}]}}],
 "module_calls":{"q":{"source":"./q","count_expression":{"constant_value":2},"module":{
   "resources":[{"address":"aws_sqs_queue.q","mode":"managed","type":"aws_sqs_queue","name":"q","expressions":{}}],
   "outputs":{"arn":{"expression":{"references":["aws_sqs_queue.q.arn","aws_sqs_queue.q"]}}}}}}}}}"#;
        let g = graph(text);
        let f = g.get("aws_lambda_function.f").expect("f");
        // after_unknown adds the block that planned values leave out.
        let dlc = f.attrs.blocks("dead_letter_config");
        assert_eq!(dlc.len(), 1);
        assert_eq!(
            dlc[0].get("target_arn"),
            Some(&Value::Unknown(vec![r("module.q[1].aws_sqs_queue.q", "arn")]))
        );
        // A configured block absent from planned values: unknown with its references.
        assert_eq!(
            f.attr("environment"),
            Some(&Value::Unknown(vec![
                r("module.q[0].aws_sqs_queue.q", "arn"),
                r("module.q[1].aws_sqs_queue.q", "arn")
            ]))
        );
    }

    #[test]
    fn data_sources_from_prior_state_and_state_documents() {
        let text = r#"{"format_version":"1.0","planned_values":{"root_module":{}},
"prior_state":{"values":{"root_module":{"resources":[
 {"address":"data.aws_iam_policy_document.p","mode":"data","type":"aws_iam_policy_document","name":"p","values":{"json":"{}"}}]}}},
"configuration":{"root_module":{"resources":[
 {"address":"data.aws_iam_policy_document.p","mode":"data","type":"aws_iam_policy_document","name":"p","expressions":{}}]}}}"#;
        let g = graph(text);
        let p = g.get("data.aws_iam_policy_document.p").expect("p");
        assert!(p.data);
        assert_eq!(p.base, "data.aws_iam_policy_document.p");
        assert_eq!(p.str_attr("json"), Some("{}"));
        assert_eq!(g.data_of_type("aws_iam_policy_document").count(), 1);

        let state = r#"{"format_version":"1.0","values":{"root_module":{"resources":[
 {"address":"aws_s3_bucket.b","mode":"managed","type":"aws_s3_bucket","name":"b","values":{"bucket":"x"}}]}}}"#;
        assert_eq!(graph(state).resources.len(), 1);
    }

    #[test]
    fn references_reduce_to_the_most_specific() {
        let segs = split_address("data.aws_iam_policy_document.p.json").expect("splits");
        assert_eq!(
            resource_ref(&segs, ""),
            Some(r("data.aws_iam_policy_document.p", "json"))
        );
        let refs = vec![
            r("aws_sqs_queue.dlq", "arn"),
            r("aws_sqs_queue.dlq", ""),
            r("aws_subnet.a[0]", "id"),
            r("aws_subnet.a", ""),
            r("aws_subnet.a[1]", ""),
            r("aws_sqs_queue.dlq", "arn"),
        ];
        assert_eq!(
            most_specific(refs),
            vec![
                r("aws_sqs_queue.dlq", "arn"),
                r("aws_subnet.a[0]", "id"),
                r("aws_subnet.a[1]", "")
            ]
        );
        assert_eq!(
            parse_resource_address("module.a[\"x.y\"].module.b.aws_x.y[\"k]\"]").map(|a| (
                a.module_prefix(),
                a.base(),
                a.full()
            )),
            Some((
                "module.a[\"x.y\"].module.b".to_string(),
                "module.a[\"x.y\"].module.b.aws_x.y".to_string(),
                "module.a[\"x.y\"].module.b.aws_x.y[\"k]\"]".to_string()
            ))
        );
        assert_eq!(parse_resource_address("aws_x"), None);
        assert_eq!(parse_resource_address("aws_x.y.z"), None);
        assert_eq!(parse_resource_address("aws_x.y[0"), None);
    }

    #[test]
    fn never_panics_on_odd_input() {
        let err = load_plan(&SourceFile::new("p.json", "{\n  \"format_version\": \n}")).expect_err("malformed");
        assert_eq!((err.file.as_str(), err.line), ("p.json", 3));
        assert!(load_plan(&SourceFile::new("p.json", "[]")).is_err());
        for text in [
            "{}",
            r#"{"planned_values": 3}"#,
            r#"{"planned_values":{"root_module":{"resources":[1, {"address": 2}, {"address":"x"}, {"address":"a.b","values":[]}]}}}"#,
            r#"{"planned_values":{"root_module":{"resources":[{"address":"a.b"}]}},"resource_changes":[{"address":"a.b","change":{"after_unknown":true}}],
               "configuration":{"root_module":{"resources":[{"address":"a.b","expressions":{"x":{"references":[1,"module","module.m","var","aws_x"]},"y":[1,2],"z":{"w":{}}}}]}}}"#,
            r#"{"resource_changes":[{"address":"a.b","change":{"actions":["delete"]}},{"address":"c.d","change":{"actions":["create"],"after":{}}}]}"#,
        ] {
            let g = graph(text);
            assert!(g.resources.len() <= 2, "{text}");
        }
    }
}
