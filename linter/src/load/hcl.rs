//! Native HCL (`.tf`, `.tfvars`) into [`ModuleConfig`], keeping spans for code frames.

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};

use super::config::{Attr, BlockBody, LoadError, ModuleCall, ModuleConfig, NestedBlock, ResourceDecl, VariableDecl};
use super::source::SourceFile;
use crate::suppress;

/// Parses one `.tf` file into the declarations it contributes to its module.
pub fn parse_module_file(src: &SourceFile) -> Result<ModuleConfig, LoadError> {
    let body = parse(src)?;
    let mut cfg = ModuleConfig {
        files: vec![src.path.clone()],
        ..ModuleConfig::default()
    };
    // Owned all the way: expression trees are moved into the config, never copied.
    for structure in body {
        let Structure::Block(block) = structure else { continue };
        collect_block(src, block, &mut cfg);
    }
    cfg.suppressions = suppress::scan(src);
    Ok(cfg)
}

/// Parses a `.tfvars` file: top-level attributes only.
pub fn parse_tfvars(src: &SourceFile) -> Result<Vec<Attr>, LoadError> {
    let body = parse(src)?;
    Ok(block_body(src, body).attrs)
}

fn parse(src: &SourceFile) -> Result<Body, LoadError> {
    hcl_edit::parser::parse_body(&src.text).map_err(|e| LoadError {
        file: src.path.to_string(),
        line: (e.location().line() as u32).max(1),
        column: (e.location().column() as u32).max(1),
        message: format!("HCL parse error: {}", e.message()),
    })
}

fn attr(src: &SourceFile, name: &str, expr: Expression, span: Option<std::ops::Range<usize>>) -> Attr {
    Attr {
        name: name.to_string(),
        expr,
        location: src.location(span),
    }
}

fn labels(block: &Block) -> Vec<String> {
    block.labels.iter().map(|l| l.as_str().to_string()).collect()
}

fn collect_block(src: &SourceFile, block: Block, cfg: &mut ModuleConfig) {
    let labels = labels(&block);
    let location = src.location(block.span());
    let span = block.span().unwrap_or(0..0);
    let kind = block.ident.as_str().to_string();
    match (block.ident.as_str(), labels.as_slice()) {
        ("resource", [rtype, name]) | ("data", [rtype, name]) => {
            let mut body = block_body(src, block.body);
            let count = take_attr(&mut body, "count");
            let for_each = take_attr(&mut body, "for_each");
            body.attrs
                .retain(|a| !matches!(a.name.as_str(), "depends_on" | "provider"));
            body.blocks
                .retain(|b| !matches!(b.ident.as_str(), "lifecycle" | "provisioner" | "connection"));
            let lines = (src.line_col(span.start).0, src.line_col(span.end.saturating_sub(1)).0);
            cfg.resources.push(ResourceDecl {
                data: kind == "data",
                rtype: rtype.clone(),
                name: name.clone(),
                body,
                count,
                for_each,
                location,
                lines,
            });
        }
        ("variable", [name]) => {
            let default = take_attr(&mut block_body(src, block.body), "default");
            cfg.variables.push(VariableDecl {
                name: name.clone(),
                default,
                location,
            });
        }
        ("locals", []) => {
            cfg.locals.extend(block_body(src, block.body).attrs);
        }
        ("output", [name]) => {
            let body = block_body(src, block.body);
            if let Some(a) = body.attrs.into_iter().find(|a| a.name == "value") {
                cfg.outputs.push(Attr {
                    name: name.clone(),
                    ..a
                });
            }
        }
        ("module", [name]) => {
            let mut body = block_body(src, block.body);
            let source = take_attr(&mut body, "source").and_then(|e| match e {
                Expression::String(s) => Some(s.value().to_string()),
                _ => None,
            });
            let count = take_attr(&mut body, "count");
            let for_each = take_attr(&mut body, "for_each");
            body.attrs
                .retain(|a| !matches!(a.name.as_str(), "version" | "providers" | "depends_on"));
            cfg.module_calls.push(ModuleCall {
                name: name.clone(),
                source,
                inputs: body.attrs,
                count,
                for_each,
                location,
            });
        }
        _ => {}
    }
}

fn take_attr(body: &mut BlockBody, name: &str) -> Option<Expression> {
    let i = body.attrs.iter().position(|a| a.name == name)?;
    Some(body.attrs.remove(i).expr)
}

fn block_body(src: &SourceFile, body: Body) -> BlockBody {
    let mut out = BlockBody::default();
    for structure in body {
        match structure {
            Structure::Attribute(a) => {
                let span = a.span();
                out.attrs.push(attr(src, a.key.as_str(), a.value, span))
            }
            Structure::Block(b) => {
                let location = src.location(b.span());
                out.blocks.push(NestedBlock {
                    ident: b.ident.as_str().to_string(),
                    labels: labels(&b),
                    body: block_body(src, b.body),
                    location,
                })
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_keep_their_location_and_meta_arguments() {
        let src = SourceFile::new(
            "main.tf",
            "\nresource \"aws_sqs_queue\" \"jobs\" {\n  count = 2\n  name = \"jobs\"\n}\n",
        );
        let cfg = parse_module_file(&src).expect("parses");
        let r = &cfg.resources[0];
        assert_eq!((r.rtype.as_str(), r.name.as_str()), ("aws_sqs_queue", "jobs"));
        assert_eq!((r.location.line, r.location.column), (2, 1));
        assert_eq!(r.lines, (2, 5));
        assert!(r.count.is_some());
        assert_eq!(r.body.attrs.len(), 1);
        assert_eq!(r.body.attrs[0].location.line, 4);
    }

    #[test]
    fn parse_errors_carry_line_and_column() {
        let src = SourceFile::new("bad.tf", "resource \"a\" \"b\" {\n  x = \n}\n");
        let err = parse_module_file(&src).expect_err("must fail");
        assert_eq!(err.file, "bad.tf");
        assert!(err.line >= 2, "{err:?}");
    }
}
