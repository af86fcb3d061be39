//! Module instances of one root: variables, locals, outputs and child modules, evaluated
//! lazily and memoised, and the walk that turns every resource instance into a [`Resource`].

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use super::eval::{InstanceKeys, Scope, quote_key};
use super::value::format_number;
use super::{Graph, Resource, Value};
use crate::composite;
use crate::load::config::{BlockBody, Expr, LoadError, ModuleConfig, ResourceDecl};
use crate::load::walk::Workspace;

/// More nesting than this is a module that calls itself.
const MAX_MODULE_DEPTH: usize = 24;
/// `count = 100000` is legal but linting each instance separately teaches nothing.
const MAX_INSTANCES: usize = 1_000;

enum Slot {
    InProgress,
    Done(Value),
}

/// How a child module instance was called.
struct ParentLink {
    module: usize,
    call: usize,
    scope: Scope,
}

struct Instance {
    cfg: Arc<ModuleConfig>,
    prefix: String,
    parent: Option<ParentLink>,
    depth: usize,
    vars: RefCell<HashMap<String, Slot>>,
    locals: RefCell<HashMap<String, Slot>>,
    outputs: RefCell<HashMap<String, Slot>>,
    children: RefCell<HashMap<String, Rc<Children>>>,
    keys: RefCell<HashMap<String, InstanceKeys>>,
}

/// The instances of one module call.
pub struct Children {
    list: Vec<(Value, usize)>,
    known: bool,
}

impl Children {
    pub fn first(&self) -> Option<&(Value, usize)> {
        self.list.first()
    }

    /// The instances with their keys, when `count`/`for_each` is known.
    pub fn known(&self) -> Option<&[(Value, usize)]> {
        self.known.then_some(self.list.as_slice())
    }
}

pub struct CallInfo {
    /// Has `count` or `for_each`.
    pub expanded: bool,
    /// Has `for_each` (instances are keyed by string).
    pub keyed: bool,
}

/// The result of [`Modules::build`].
pub struct Built {
    pub graph: Graph,
    pub errors: Vec<LoadError>,
    /// Every module directory the root reached.
    pub dirs: Vec<PathBuf>,
}

/// All module instances reachable from one root module.
pub struct Modules<'w> {
    workspace: &'w Workspace,
    root_vars: HashMap<String, Value>,
    instances: RefCell<Vec<Rc<Instance>>>,
    /// Every module directory this root has parsed, the root's own included.
    loaded: RefCell<HashMap<PathBuf, Option<Arc<ModuleConfig>>>>,
    pub errors: RefCell<Vec<LoadError>>,
    /// The outputs of every composite instance expanded so far.
    composites: RefCell<Vec<composite::Outputs>>,
}

impl<'w> Modules<'w> {
    pub fn new(workspace: &'w Workspace, root: Arc<ModuleConfig>, root_vars: HashMap<String, Value>) -> Modules<'w> {
        let m = Modules {
            workspace,
            root_vars,
            instances: RefCell::new(Vec::new()),
            loaded: RefCell::new(HashMap::from([(root.dir.clone(), Some(root.clone()))])),
            errors: RefCell::new(Vec::new()),
            composites: RefCell::new(Vec::new()),
        };
        m.push(root, String::new(), None, 0);
        m
    }

    fn push(&self, cfg: Arc<ModuleConfig>, prefix: String, parent: Option<ParentLink>, depth: usize) -> usize {
        let mut all = self.instances.borrow_mut();
        all.push(Rc::new(Instance {
            cfg,
            prefix,
            parent,
            depth,
            vars: RefCell::default(),
            locals: RefCell::default(),
            outputs: RefCell::default(),
            children: RefCell::default(),
            keys: RefCell::default(),
        }));
        all.len() - 1
    }

    fn inst(&self, i: usize) -> Rc<Instance> {
        self.instances.borrow()[i].clone()
    }

    pub fn dir(&self, module: usize) -> PathBuf {
        self.inst(module).cfg.dir.clone()
    }

    /// `"module.a."` for resources inside `module.a`, `""` at the root.
    pub fn prefix_dot(&self, module: usize) -> String {
        let inst = self.inst(module);
        if inst.prefix.is_empty() {
            String::new()
        } else {
            format!("{}.", inst.prefix)
        }
    }

    /// Memoised evaluation with cycle detection: a cycle evaluates to unknown.
    fn memo(
        &self,
        slots: impl Fn(&Instance) -> &RefCell<HashMap<String, Slot>>,
        module: usize,
        name: &str,
        compute: impl FnOnce(&Instance) -> Value,
    ) -> Value {
        let inst = self.inst(module);
        match slots(&inst).borrow().get(name) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::InProgress) => return Value::unknown(),
            None => {}
        }
        slots(&inst).borrow_mut().insert(name.to_string(), Slot::InProgress);
        let v = compute(&inst);
        slots(&inst)
            .borrow_mut()
            .insert(name.to_string(), Slot::Done(v.clone()));
        v
    }

    pub fn variable(&self, module: usize, name: &str, d: usize) -> Result<Value, super::eval::EvalError> {
        Ok(self.memo(
            |i| &i.vars,
            module,
            name,
            |inst| {
                let input = match &inst.parent {
                    None => self.root_vars.get(name).cloned(),
                    Some(link) => {
                        let parent = self.inst(link.module);
                        parent.cfg.module_calls.get(link.call).and_then(|call| {
                            call.inputs
                                .iter()
                                .find(|a| a.name == name)
                                .map(|a| self.eval(&a.expr, &link.scope, d).unwrap_or_else(|_| Value::unknown()))
                        })
                    }
                };
                input.unwrap_or_else(|| match inst.cfg.variable(name).and_then(|v| v.default.as_ref()) {
                    Some(default) => self
                        .eval(default, &Scope::module(module), d)
                        .unwrap_or_else(|_| Value::unknown()),
                    None => Value::unknown(),
                })
            },
        ))
    }

    pub fn local(&self, module: usize, name: &str, d: usize) -> Result<Value, super::eval::EvalError> {
        let inst = self.inst(module);
        let Some(attr) = inst.cfg.local(name) else {
            return Err(super::eval::EvalError(format!("no local {name:?}")));
        };
        let expr = attr.expr.clone();
        Ok(self.memo(
            |i| &i.locals,
            module,
            name,
            |_| {
                self.eval(&expr, &Scope::module(module), d)
                    .unwrap_or_else(|_| Value::unknown())
            },
        ))
    }

    pub fn output(&self, module: usize, name: &str, d: usize) -> Result<Value, super::eval::EvalError> {
        let inst = self.inst(module);
        let Some(attr) = inst.cfg.output(name) else {
            return Err(super::eval::EvalError(format!("no output {name:?}")));
        };
        let expr = attr.expr.clone();
        Ok(self.memo(
            |i| &i.outputs,
            module,
            name,
            |_| {
                self.eval(&expr, &Scope::module(module), d)
                    .unwrap_or_else(|_| Value::unknown())
            },
        ))
    }

    pub fn all_outputs(&self, module: usize, d: usize) -> Value {
        let names: Vec<String> = self.inst(module).cfg.outputs.iter().map(|a| a.name.clone()).collect();
        Value::Map(
            names
                .into_iter()
                .map(|n| (n.clone(), self.output(module, &n, d).unwrap_or_default()))
                .collect(),
        )
    }

    pub fn module_call(&self, module: usize, name: &str) -> Option<CallInfo> {
        let inst = self.inst(module);
        let (_, call) = inst.cfg.module_call(name)?;
        Some(CallInfo {
            expanded: call.count.is_some() || call.for_each.is_some(),
            keyed: call.for_each.is_some(),
        })
    }

    /// The instances of module call `name` in `module`, created on first use.
    pub fn children(&self, module: usize, name: &str, d: usize) -> Rc<Children> {
        let inst = self.inst(module);
        if let Some(c) = inst.children.borrow().get(name) {
            return c.clone();
        }
        // A call whose `count`/`for_each` refers to the call itself sees unknown instances.
        let in_progress = Rc::new(Children {
            list: Vec::new(),
            known: false,
        });
        inst.children.borrow_mut().insert(name.to_string(), in_progress);
        let children = Rc::new(self.instantiate_call(&inst, module, name, d));
        inst.children.borrow_mut().insert(name.to_string(), children.clone());
        children
    }

    fn instantiate_call(&self, inst: &Instance, module: usize, name: &str, d: usize) -> Children {
        let empty = Children {
            list: Vec::new(),
            known: true,
        };
        let Some((call_index, call)) = inst.cfg.module_call(name) else {
            return empty;
        };
        if inst.depth >= MAX_MODULE_DEPTH {
            return empty;
        }
        let Some(cfg) = call.source.as_deref().and_then(|s| self.local_module(&inst.cfg.dir, s)) else {
            return empty;
        };
        let keys = self.keys_of(call.count.as_ref(), call.for_each.as_ref(), &Scope::module(module), d);
        let base = format!("{}module.{name}", self.prefix_dot(module));
        let mut list = Vec::new();
        for (suffix, scope) in instance_scopes(&keys, module) {
            let key = scope
                .count_index
                .clone()
                .or_else(|| scope.each.as_ref().map(|(k, _)| k.clone()))
                .unwrap_or(Value::Null);
            let link = ParentLink {
                module,
                call: call_index,
                scope,
            };
            let child = self.push(cfg.clone(), format!("{base}{suffix}"), Some(link), inst.depth + 1);
            list.push((key, child));
        }
        Children {
            list,
            known: keys != InstanceKeys::Unknown,
        }
    }

    /// The configuration of a local module source (`./x`, `../x`); registry sources are not followed.
    fn local_module(&self, from: &Path, source: &str) -> Option<Arc<ModuleConfig>> {
        if !(source.starts_with("./") || source.starts_with("../")) {
            return None;
        }
        let dir = normalize(&from.join(source));
        if let Some(found) = self.loaded.borrow().get(&dir) {
            return found.clone();
        }
        let (cfg, errors) = self.workspace.load(&dir);
        self.errors.borrow_mut().extend(errors);
        let cfg = cfg.map(Arc::new);
        self.loaded.borrow_mut().insert(dir, cfg.clone());
        cfg
    }

    pub fn resource_keys(&self, module: usize, rtype: &str, name: &str, d: usize) -> InstanceKeys {
        let inst = self.inst(module);
        let key = format!("{rtype}.{name}");
        if let Some(k) = inst.keys.borrow().get(&key) {
            return k.clone();
        }
        // A `count`/`for_each` that refers to its own resource sees unknown instances.
        inst.keys.borrow_mut().insert(key.clone(), InstanceKeys::Unknown);
        let keys = match inst.cfg.resource(&key) {
            Some(r) => self.keys_of(r.count.as_ref(), r.for_each.as_ref(), &Scope::module(module), d),
            None => InstanceKeys::Single,
        };
        inst.keys.borrow_mut().insert(key, keys.clone());
        keys
    }

    fn keys_of(&self, count: Option<&Expr>, for_each: Option<&Expr>, scope: &Scope, d: usize) -> InstanceKeys {
        if let Some(count) = count {
            return match self.eval(count, scope, d).ok().and_then(|v| v.as_f64()) {
                Some(n) if n >= 0.0 => InstanceKeys::Count((n as usize).min(MAX_INSTANCES)),
                _ => InstanceKeys::Unknown,
            };
        }
        if let Some(for_each) = for_each {
            return match self.eval(for_each, scope, d) {
                Ok(Value::Map(m)) => InstanceKeys::ForEach(m.keys().take(MAX_INSTANCES).cloned().collect()),
                Ok(Value::List(items)) => match items.iter().map(Value::to_template_string).collect::<Option<Vec<_>>>()
                {
                    Some(mut keys) => {
                        keys.sort();
                        keys.dedup();
                        keys.truncate(MAX_INSTANCES);
                        InstanceKeys::ForEach(keys)
                    }
                    None => InstanceKeys::Unknown,
                },
                _ => InstanceKeys::Unknown,
            };
        }
        InstanceKeys::Single
    }

    /// `each.value` needs the for_each collection, not only its keys.
    fn each_values(&self, for_each: Option<&Expr>, module: usize) -> BTreeMap<String, Value> {
        match for_each.map(|e| self.eval_or_unknown(e, &Scope::module(module))) {
            Some(Value::Map(m)) => m,
            Some(Value::List(items)) => items
                .into_iter()
                .filter_map(|v| v.to_template_string().map(|k| (k, v)))
                .collect(),
            _ => BTreeMap::new(),
        }
    }

    /// Walks every module instance and evaluates every resource instance. The graph carries
    /// the suppression comments of every file of the modules it was built from.
    pub fn build(self, root_label: String) -> Built {
        let mut resources = Vec::new();
        let mut next = 0;
        while next < self.instances.borrow().len() {
            let module = next;
            next += 1;
            let inst = self.inst(module);
            for decl in &inst.cfg.resources {
                self.build_resource(module, decl, &mut resources);
            }
            for call in &inst.cfg.module_calls {
                self.children(module, &call.name, 0);
            }
        }
        composite::link_outputs(&mut resources, &self.composites.borrow());
        let mut graph = Graph::new(root_label, resources);
        let loaded = self.loaded.take();
        graph.suppressions = loaded
            .values()
            .flatten()
            .flat_map(|cfg| cfg.suppressions.iter().cloned())
            .collect();
        Built {
            graph,
            errors: self.errors.take(),
            dirs: loaded.into_keys().collect(),
        }
    }

    fn build_resource(&self, module: usize, decl: &ResourceDecl, out: &mut Vec<Resource>) {
        let rtype = if decl.data {
            format!("data.{}", decl.rtype)
        } else {
            decl.rtype.clone()
        };
        let base = format!("{}{rtype}.{}", self.prefix_dot(module), decl.name);
        let keys = self.resource_keys(module, &rtype, &decl.name, 0);
        let mut scopes = instance_scopes(&keys, module);
        if let InstanceKeys::ForEach(_) = keys {
            let values = self.each_values(decl.for_each.as_ref(), module);
            for (_, scope) in scopes.iter_mut() {
                if let Some((Value::String(k), v)) = scope.each.as_mut()
                    && let Some(value) = values.get(k.as_str())
                {
                    *v = value.clone();
                }
            }
        }
        let inst = self.inst(module);
        let kind = if decl.data {
            None
        } else {
            composite::kind_of(&decl.rtype)
        };
        for (suffix, scope) in scopes {
            let (attrs, attr_locations) = self.eval_body(&decl.body, &scope);
            let resource = Resource {
                address: format!("{base}{suffix}"),
                base: base.clone(),
                module: inst.prefix.clone(),
                data: decl.data,
                rtype: decl.rtype.clone(),
                name: decl.name.clone(),
                attrs,
                location: decl.location.clone(),
                attr_locations,
                lines: decl.lines,
                origin: None,
            };
            if let Some(kind) = &kind {
                self.expand_composite(kind, &resource, out);
            }
            out.push(resource);
        }
    }

    /// Adds the children of a composite instance, or its configuration errors as load
    /// errors at the attribute they are about (the block when it is not written).
    fn expand_composite(&self, kind: &wellarch_blueprints::Kind, r: &Resource, out: &mut Vec<Resource>) {
        let site = composite::Site {
            address: &r.address,
            location: &r.location,
            lines: r.lines,
        };
        match composite::expand(kind, &r.attrs, &site, &r.base) {
            Ok(expanded) => {
                out.extend(expanded.children);
                self.composites.borrow_mut().push(expanded.outputs);
            }
            Err(problems) => {
                let mut errors = self.errors.borrow_mut();
                for (attr, message) in problems {
                    let at = attr.as_deref().map_or(&r.location, |a| r.location_of(a));
                    errors.push(LoadError {
                        file: at.file.to_string(),
                        line: at.line,
                        column: at.column,
                        message: format!("{}: {message}", r.address),
                    });
                }
            }
        }
    }

    /// Attributes, nested blocks (as lists of objects) and `dynamic` blocks.
    fn eval_body(&self, body: &BlockBody, scope: &Scope) -> (Value, BTreeMap<String, crate::graph::Location>) {
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        let mut locations = BTreeMap::new();
        for a in &body.attrs {
            map.insert(a.name.clone(), self.eval_or_unknown(&a.expr, scope));
            locations.insert(a.name.clone(), a.location.clone());
        }
        for b in &body.blocks {
            let (kind, items) = if b.ident == "dynamic" {
                let Some(kind) = b.labels.first() else { continue };
                (kind.clone(), self.eval_dynamic(kind, &b.body, scope))
            } else {
                (b.ident.clone(), vec![self.eval_body(&b.body, scope).0])
            };
            locations.entry(kind.clone()).or_insert_with(|| b.location.clone());
            match map.entry(kind).or_insert_with(|| Value::List(Vec::new())) {
                Value::List(list) => list.extend(items),
                other => *other = Value::List(items),
            }
        }
        (Value::Map(map), locations)
    }

    fn eval_dynamic(&self, kind: &str, body: &BlockBody, scope: &Scope) -> Vec<Value> {
        let Some(content) = body.blocks.iter().find(|b| b.ident == "content") else {
            return Vec::new();
        };
        let iterator = match body.attr("iterator").map(|a| &a.expr) {
            Some(Expr::Variable(v)) => v.as_str().to_string(),
            _ => kind.to_string(),
        };
        let collection = body
            .attr("for_each")
            .map(|a| self.eval_or_unknown(&a.expr, scope))
            .unwrap_or_default();
        let pairs: Vec<(Value, Value)> = match &collection {
            Value::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64), v.clone()))
                .collect(),
            Value::Map(m) => m.iter().map(|(k, v)| (Value::String(k.clone()), v.clone())).collect(),
            Value::Null => Vec::new(),
            other => return vec![super::eval::unknown_from([other])],
        };
        pairs
            .into_iter()
            .map(|(k, v)| {
                let it = Value::Map([("key".to_string(), k), ("value".to_string(), v)].into());
                let mut s = scope.clone();
                s.bindings.push((iterator.clone(), it));
                self.eval_body(&content.body, &s).0
            })
            .collect()
    }
}

/// One scope per instance, with the address suffix (`[0]`, `["a"]`, or none).
fn instance_scopes(keys: &InstanceKeys, module: usize) -> Vec<(String, Scope)> {
    let scope = Scope::module(module);
    match keys {
        InstanceKeys::Single => vec![(String::new(), scope)],
        InstanceKeys::Count(n) => (0..*n)
            .map(|i| {
                let mut s = scope.clone();
                s.count_index = Some(Value::Number(i as f64));
                (format!("[{}]", format_number(i as f64)), s)
            })
            .collect(),
        InstanceKeys::ForEach(keys) => keys
            .iter()
            .map(|k| {
                let mut s = scope.clone();
                s.each = Some((Value::String(k.clone()), Value::String(k.clone())));
                (format!("[{}]", quote_key(k)), s)
            })
            .collect(),
        InstanceKeys::Unknown => {
            let mut s = scope;
            s.count_index = Some(Value::unknown());
            s.each = Some((Value::unknown(), Value::unknown()));
            vec![(String::new(), s)]
        }
    }
}

/// Lexical `.`/`..` removal, so `./a/../b` and `./b` name one module.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
