//! The parsed, not yet evaluated, configuration of one module directory.

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
}

impl ModuleConfig {
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
