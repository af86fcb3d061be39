//! The parsed, not yet evaluated, configuration of one module directory.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::graph::Location;
use crate::suppress::Suppression;

pub use hcl_edit::expr::Expression as Expr;

#[derive(Debug, Clone)]
pub struct Attr {
    pub name: String,
    pub expr: Expr,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct NestedBlock {
    pub ident: String,
    pub labels: Vec<String>,
    pub body: BlockBody,
    pub location: Location,
}

#[derive(Debug, Clone, Default)]
pub struct BlockBody {
    pub attrs: Vec<Attr>,
    pub blocks: Vec<NestedBlock>,
}

impl BlockBody {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

/// A `resource` or `data` block. Meta-arguments are pulled out of `body`.
#[derive(Debug, Clone)]
pub struct ResourceDecl {
    pub data: bool,
    pub rtype: String,
    pub name: String,
    pub body: BlockBody,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    /// The block header (`resource "aws_sqs_queue" "jobs"`).
    pub location: Location,
    /// First and last line of the block.
    pub lines: (u32, u32),
}

#[derive(Debug, Clone)]
pub struct VariableDecl {
    pub name: String,
    pub default: Option<Expr>,
    pub location: Location,
}

#[derive(Debug, Clone)]
pub struct ModuleCall {
    pub name: String,
    /// `source` when it is a literal string.
    pub source: Option<String>,
    pub inputs: Vec<Attr>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub location: Location,
}

/// Everything declared in the `.tf` / `.tf.json` files of one directory.
#[derive(Debug, Clone, Default)]
pub struct ModuleConfig {
    pub dir: PathBuf,
    pub files: Vec<Arc<str>>,
    pub variables: Vec<VariableDecl>,
    pub locals: Vec<Attr>,
    pub resources: Vec<ResourceDecl>,
    pub module_calls: Vec<ModuleCall>,
    pub outputs: Vec<Attr>,
    pub suppressions: Vec<Suppression>,
    /// Positions by name, so lookups stay O(1) in modules with thousands of declarations.
    pub index: NameIndex,
}

/// Name → position in the [`ModuleConfig`] vectors. Resources are keyed `type.name` and
/// `data.type.name`; the first declaration wins, as the others are Terraform errors anyway.
#[derive(Debug, Clone, Default)]
pub struct NameIndex {
    pub resources: HashMap<String, usize>,
    pub variables: HashMap<String, usize>,
    pub locals: HashMap<String, usize>,
    pub outputs: HashMap<String, usize>,
    pub module_calls: HashMap<String, usize>,
}

impl ModuleConfig {
    /// Rebuilds [`ModuleConfig::index`]; call after the last [`ModuleConfig::merge`].
    pub fn build_index(&mut self) {
        fn positions(names: impl Iterator<Item = String>) -> HashMap<String, usize> {
            let mut map = HashMap::new();
            for (i, name) in names.enumerate() {
                map.entry(name).or_insert(i);
            }
            map
        }
        self.index = NameIndex {
            resources: positions(self.resources.iter().map(|r| {
                if r.data {
                    format!("data.{}.{}", r.rtype, r.name)
                } else {
                    format!("{}.{}", r.rtype, r.name)
                }
            })),
            variables: positions(self.variables.iter().map(|v| v.name.clone())),
            locals: positions(self.locals.iter().map(|a| a.name.clone())),
            outputs: positions(self.outputs.iter().map(|a| a.name.clone())),
            module_calls: positions(self.module_calls.iter().map(|c| c.name.clone())),
        };
    }

    pub fn resource(&self, key: &str) -> Option<&ResourceDecl> {
        self.index.resources.get(key).and_then(|&i| self.resources.get(i))
    }

    pub fn variable(&self, name: &str) -> Option<&VariableDecl> {
        self.index.variables.get(name).and_then(|&i| self.variables.get(i))
    }

    pub fn local(&self, name: &str) -> Option<&Attr> {
        self.index.locals.get(name).and_then(|&i| self.locals.get(i))
    }

    pub fn output(&self, name: &str) -> Option<&Attr> {
        self.index.outputs.get(name).and_then(|&i| self.outputs.get(i))
    }

    pub fn module_call(&self, name: &str) -> Option<(usize, &ModuleCall)> {
        self.index
            .module_calls
            .get(name)
            .and_then(|&i| self.module_calls.get(i).map(|c| (i, c)))
    }

    /// Adds the declarations of one parsed file.
    pub fn merge(&mut self, other: ModuleConfig) {
        self.files.extend(other.files);
        self.variables.extend(other.variables);
        self.locals.extend(other.locals);
        self.resources.extend(other.resources);
        self.module_calls.extend(other.module_calls);
        self.outputs.extend(other.outputs);
        self.suppressions.extend(other.suppressions);
    }
}

/// A file that could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}
