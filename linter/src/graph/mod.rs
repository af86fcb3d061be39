//! The resource graph of one Terraform root module (or one plan): every resource
//! instance with its evaluated attributes, where it was written, and indices that
//! let rules ask "who points at this?".

pub mod eval;
pub mod functions;
pub mod module;
pub mod value;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub use value::{Ref, Value};

/// A place in a source file. Lines and columns are 1-based; `offset`/`len` are bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
    pub offset: usize,
    pub len: usize,
}

/// One resource (or data source) instance.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Full instance address: `module.data.aws_db_instance.reporting[0]`; for a composite's
    /// child, the composite's address and the component's
    /// (`wellarch_burst_tolerant_api.orders/aws_sqs_queue.jobs`).
    pub address: String,
    /// Address without the instance key: `module.data.aws_db_instance.reporting`.
    pub base: String,
    /// `module.data` (or `module.a.module.b`); empty in the root module. For a composite's
    /// child, the composite's address: a composite is a scope of its own.
    pub module: String,
    pub data: bool,
    pub rtype: String,
    pub name: String,
    /// Attributes and nested blocks (as lists of objects), evaluated.
    pub attrs: Value,
    /// The block header (a composite's children: the composite's block header).
    pub location: Location,
    /// Where each top-level attribute or nested block was written.
    pub attr_locations: BTreeMap<String, Location>,
    /// First and last line of the block, for inline suppressions.
    pub lines: (u32, u32),
    /// For children of a `wellarch_*` composite: the composite's address.
    pub origin: Option<String>,
}

impl Resource {
    pub fn attr(&self, key: &str) -> Option<&Value> {
        self.attrs.field(key)
    }

    pub fn bool_attr(&self, key: &str) -> Option<bool> {
        self.attr(key).and_then(Value::as_bool)
    }

    pub fn str_attr(&self, key: &str) -> Option<&str> {
        self.attr(key).and_then(Value::as_str)
    }

    pub fn num_attr(&self, key: &str) -> Option<f64> {
        self.attr(key).and_then(Value::as_f64)
    }

    /// The location of an attribute, or of the block when the attribute is absent.
    pub fn location_of(&self, key: &str) -> &Location {
        self.attr_locations.get(key).unwrap_or(&self.location)
    }

    /// The address a user sees (composite children as `<composite>/<child>`, which is
    /// already their [`Resource::address`]).
    pub fn display_address(&self) -> String {
        self.address.clone()
    }
}

/// Known string value of one attribute → the resources holding it.
type ValueIndex = HashMap<String, Vec<usize>>;

/// An incoming edge: resource `from` references the target through attribute `attr`.
#[derive(Debug, Clone, Copy)]
pub struct Edge<'g> {
    pub from: &'g Resource,
    pub attr: &'g str,
}

/// All resources of one root module (its child modules included) or one plan.
#[derive(Debug, Default)]
pub struct Graph {
    /// A root module directory or a plan file, as displayed.
    pub root: String,
    pub resources: Vec<Resource>,
    by_address: HashMap<String, usize>,
    by_base: HashMap<String, Vec<usize>>,
    by_type: HashMap<String, Vec<usize>>,
    /// Inline suppression comments of the files this graph was built from.
    pub suppressions: Vec<crate::suppress::Suppression>,
    /// (type, attribute) -> known string value -> resources; built on first use.
    by_value: std::sync::Mutex<HashMap<(String, String), std::sync::Arc<ValueIndex>>>,
    /// target address (instance or base) -> (source index, top-level attribute)
    incoming: HashMap<String, Vec<(usize, String)>>,
}

impl Graph {
    pub fn new(root: String, resources: Vec<Resource>) -> Graph {
        let mut g = Graph {
            root,
            resources,
            ..Graph::default()
        };
        for (i, r) in g.resources.iter().enumerate() {
            g.by_address.insert(r.address.clone(), i);
            g.by_base.entry(r.base.clone()).or_default().push(i);
            g.by_type.entry(r.rtype.clone()).or_default().push(i);
            if let Value::Map(attrs) = &r.attrs {
                for (key, value) in attrs {
                    for target in value.refs() {
                        g.incoming
                            .entry(target.resource.clone())
                            .or_default()
                            .push((i, key.clone()));
                    }
                }
            }
        }
        for edges in g.incoming.values_mut() {
            edges.sort();
            edges.dedup();
        }
        g
    }

    /// Managed resources of one type.
    pub fn of_type<'g>(&'g self, rtype: &str) -> impl Iterator<Item = &'g Resource> + 'g {
        self.by_type
            .get(rtype)
            .map(|ix| ix.as_slice())
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.resources[i])
            .filter(|r| !r.data)
    }

    /// Data sources of one type.
    pub fn data_of_type<'g>(&'g self, rtype: &str) -> impl Iterator<Item = &'g Resource> + 'g {
        self.by_type
            .get(rtype)
            .map(|ix| ix.as_slice())
            .unwrap_or(&[])
            .iter()
            .map(|&i| &self.resources[i])
            .filter(|r| r.data)
    }

    pub fn get(&self, address: &str) -> Option<&Resource> {
        self.by_address.get(address).map(|&i| &self.resources[i])
    }

    /// The instances a reference points at: one instance, or every instance of a resource.
    pub fn resolve(&self, r: &Ref) -> Vec<&Resource> {
        if let Some(&i) = self.by_address.get(&r.resource) {
            return vec![&self.resources[i]];
        }
        // `aws_x.y[0]` when the instances could not be told apart: the resource stands for all.
        let base = match r.resource.strip_suffix(']').and_then(|s| s.rfind('[').map(|i| &s[..i])) {
            Some(base) if !self.by_base.contains_key(&r.resource) => base,
            _ => r.resource.as_str(),
        };
        self.by_base
            .get(base)
            .map(|ix| ix.iter().map(|&i| &self.resources[i]).collect())
            .unwrap_or_default()
    }

    /// The resources of `rtype` that a value references (deduplicated, in graph order).
    pub fn targets<'g>(&'g self, value: &Value, rtype: &str) -> Vec<&'g Resource> {
        let mut out: Vec<&Resource> = Vec::new();
        for r in value.refs() {
            for target in self.resolve(r) {
                if target.rtype == rtype && !out.iter().any(|o| o.address == target.address) {
                    out.push(target);
                }
            }
        }
        out
    }

    /// Every resource that references `target`, with the attribute holding the reference.
    pub fn referrers<'g>(&'g self, target: &Resource) -> Vec<Edge<'g>> {
        let mut out: Vec<Edge<'g>> = Vec::new();
        let keys = [target.address.as_str(), target.base.as_str()];
        for key in keys.iter().take(if target.address == target.base { 1 } else { 2 }) {
            for (i, attr) in self.incoming.get(*key).map(|v| v.as_slice()).unwrap_or(&[]) {
                let from = &self.resources[*i];
                if !out.iter().any(|e| std::ptr::eq(e.from, from) && e.attr == attr) {
                    out.push(Edge { from, attr });
                }
            }
        }
        out
    }

    /// Referrers of one type, through one attribute (`None` = any attribute).
    pub fn referrers_via<'g>(&'g self, target: &Resource, rtype: &str, attr: Option<&str>) -> Vec<&'g Resource> {
        self.referrers(target)
            .into_iter()
            .filter(|e| e.from.rtype == rtype && attr.is_none_or(|a| e.attr == a))
            .map(|e| e.from)
            .collect()
    }

    /// Resources of `rtype` whose attribute `attr` holds a known string equal to `value`:
    /// links made by name (`db_subnet_group_name = "orders"`) rather than by reference.
    pub fn find_by_attr<'g>(&'g self, rtype: &str, attr: &str, value: &str) -> Vec<&'g Resource> {
        let index = {
            let mut cache = self.by_value.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            cache
                .entry((rtype.to_string(), attr.to_string()))
                .or_insert_with(|| {
                    let mut map: ValueIndex = HashMap::new();
                    for &i in self.by_type.get(rtype).map(|v| v.as_slice()).unwrap_or(&[]) {
                        let r = &self.resources[i];
                        if let (false, Some(v)) = (r.data, r.str_attr(attr)) {
                            map.entry(v.to_string()).or_default().push(i);
                        }
                    }
                    std::sync::Arc::new(map)
                })
                .clone()
        };
        index
            .get(value)
            .map(|ix| ix.iter().map(|&i| &self.resources[i]).collect())
            .unwrap_or_default()
    }

    /// Resources linked from `value`: by reference, or by a known string that equals
    /// the target's `key_attr` (name or id written out literally).
    pub fn linked<'g>(&'g self, value: &Value, rtype: &str, key_attr: &str) -> Vec<&'g Resource> {
        let mut out = self.targets(value, rtype);
        for s in value.strings() {
            for r in self.find_by_attr(rtype, key_attr, s) {
                if !out.iter().any(|o| o.address == r.address) {
                    out.push(r);
                }
            }
        }
        out
    }
}
