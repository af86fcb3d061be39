use std::sync::Arc;

use crate::declare_rule;
use crate::graph::{Graph, Resource};
use crate::rules::{Ctx, Rule, RuleMeta};
use crate::suppress::Suppression;

declare_rule! {
    /// ## What it does
    /// Flags `# wellarch:ignore` comments that do not do what their author meant:
    /// - no rule code at all (`# wellarch:ignore -- legacy`);
    /// - a code that is not a wellarch rule (`SEC999`), or a rule's name instead of its code
    ///   (`queue-without-dlq`: suppressions match codes and `all` only);
    /// - no reason (`-- why`): a suppression without a reason suppresses nothing;
    /// - an `until=` that is not a `YYYY-MM-DD` date, which makes the suppression permanent;
    /// - an `until=` date that has passed: the findings it covered are reported again.
    ///
    /// A comment is reported against the resource whose block contains it or, failing that,
    /// the first resource that follows it in the same file; a comment after the last block of
    /// a file is reported against the file's first resource. The finding points at the
    /// comment's own line. OPS005 findings cannot themselves be suppressed inline (a broken
    /// suppression must not silence the report about itself); disable the rule in
    /// `.wellarch.toml` or accept the finding in a baseline instead.
    ///
    /// ## Why is this bad?
    /// A suppression is a recorded decision to accept a risk. Without a reason nobody can
    /// review that decision later; with a misspelt code it silently suppresses nothing and
    /// the author believes the finding is handled; with a malformed date it never expires.
    /// An expired one is the reminder it was meant to be: the decision is due for review.
    ///
    /// Suppression comments are plain text, so nothing here is ever unknown. Expiry is judged
    /// against today's date (UTC).
    ///
    /// ## Example
    /// ```hcl
    /// # wellarch:ignore SEC001
    /// resource "aws_db_instance" "reporting" {
    ///   identifier          = "reporting"
    ///   engine              = "postgres"
    ///   instance_class      = "db.t4g.medium"
    ///   allocated_storage   = 50
    ///   username            = "reporting"
    ///   manage_master_user_password = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// # wellarch:ignore SEC001 -- BI vendor connects over an IP allow-list until the VPN lands (OPS-1234)
    /// resource "aws_db_instance" "reporting" {
    ///   identifier          = "reporting"
    ///   engine              = "postgres"
    ///   instance_class      = "db.t4g.medium"
    ///   allocated_storage   = 50
    ///   username            = "reporting"
    ///   manage_master_user_password = true
    /// }
    /// ```
    ///
    /// ## Well-Architected
    /// OPS05-BP02: test and validate changes; an exception to a check is itself a change that
    /// must be reviewable and must not silently outlive its reason.
    pub struct InvalidSuppression {
        code: "OPS005",
        name: "invalid-suppression",
        pillar: OperationalExcellence,
        severity: Medium,
        best_practice: "OPS05-BP02",
        since: "0.1.0",
    }
}

/// The resource a comment belongs to: the block containing it, else the next block in the
/// file, else the file's first block.
fn owner<'g>(g: &'g Graph, file: &Arc<str>, line: u32) -> Option<&'g Resource> {
    let in_file = || g.resources.iter().filter(|r| r.location.file == *file);
    in_file()
        .find(|r| (r.lines.0..=r.lines.1).contains(&line))
        .or_else(|| in_file().filter(|r| r.lines.0 > line).min_by_key(|r| r.lines.0))
        .or_else(|| in_file().min_by_key(|r| r.lines.0))
}

/// What is wrong with one suppression comment, one sentence per problem.
fn problems(s: &Suppression, today: &str) -> Vec<String> {
    let mut out = Vec::new();
    if s.codes.is_empty() {
        out.push("names no rule code, so it suppresses nothing".to_string());
    }
    for code in &s.codes {
        if code == "all" {
            continue;
        }
        match crate::rules::find(code) {
            Some(rule) if rule.meta().code.eq_ignore_ascii_case(code) => {}
            Some(rule) => out.push(format!(
                "names rule `{code}` by its name, but suppressions match codes only (write {})",
                rule.meta().code
            )),
            None => out.push(format!("names `{code}`, which is not a wellarch rule code")),
        }
    }
    if s.reason.is_none() {
        out.push("has no reason (`-- why`), so it suppresses nothing".to_string());
    }
    if let Some(bad) = &s.bad_until {
        out.push(format!(
            "has `until={bad}`, which is not a YYYY-MM-DD date, so it never expires"
        ));
    }
    if let Some(until) = s.until.as_deref().filter(|u| *u < today) {
        out.push(format!(
            "expired on {until}; the findings it covered are reported again"
        ));
    }
    out
}

impl Rule for InvalidSuppression {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &mut Ctx<'_>) {
        let g = ctx.graph;
        let today = crate::suppress::today();
        for s in &g.suppressions {
            let Some(resource) = owner(g, &s.location.file, s.location.line) else {
                continue;
            };
            for problem in problems(s, &today) {
                let finding = ctx.report(
                    resource,
                    None,
                    format!("wellarch:ignore comment on line {} {problem}", s.location.line),
                );
                finding.location = s.location.clone();
                // No block: no inline suppression can hide a report about a suppression.
                finding.block = (s.location.file.clone(), 0, 0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{findings, findings_in};

    fn messages(tf: &str) -> Vec<String> {
        findings("OPS005", tf).into_iter().map(|f| f.message).collect()
    }

    #[test]
    fn missing_reason_is_reported_at_the_comment() {
        let tf =
            "resource \"aws_sqs_queue\" \"a\" {}\n\n# wellarch:ignore REL001\nresource \"aws_sqs_queue\" \"b\" {}\n";
        let found = findings("OPS005", tf);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "aws_sqs_queue.b");
        assert_eq!(found[0].location.line, 3);
        assert!(found[0].message.contains("no reason"), "{}", found[0].message);
    }

    #[test]
    fn valid_suppressions_are_not_reported() {
        let tf = r#"
            # wellarch:ignore REL001, COST002 until=2999-12-31 -- replayed from upstream
            resource "aws_sqs_queue" "a" {}
            resource "aws_sqs_queue" "b" {
              # wellarch:ignore all -- scratch queue
              name = "b"
            }
        "#;
        assert!(messages(tf).is_empty(), "{:?}", messages(tf));
    }

    #[test]
    fn unknown_codes_names_and_empty_code_lists() {
        let tf = r#"
            # wellarch:ignore SEC999 -- typo
            resource "aws_sqs_queue" "a" {}
            # wellarch:ignore queue-without-dlq -- by name
            resource "aws_sqs_queue" "b" {}
            # wellarch:ignore -- nothing named
            resource "aws_sqs_queue" "c" {}
        "#;
        let m = messages(tf);
        assert_eq!(m.len(), 3, "{m:?}");
        assert!(m.iter().any(|m| m.contains("`SEC999`, which is not")));
        assert!(m.iter().any(|m| m.contains("(write REL001)")));
        assert!(m.iter().any(|m| m.contains("names no rule code")));
    }

    #[test]
    fn expired_and_malformed_dates() {
        let tf = r#"
            # wellarch:ignore REL001 until=2001-01-01 -- old decision
            resource "aws_sqs_queue" "a" {}
            # wellarch:ignore REL001 until=next-quarter -- vague
            resource "aws_sqs_queue" "b" {}
        "#;
        let m = messages(tf);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(m.iter().any(|m| m.contains("expired on 2001-01-01")));
        assert!(m.iter().any(|m| m.contains("`until=next-quarter`")));
    }

    #[test]
    fn a_broken_suppression_cannot_hide_its_own_report() {
        let tf = r#"
            resource "aws_sqs_queue" "a" {
              # wellarch:ignore all until=soon -- forever, by accident
              # wellarch:ignore OPS005 -- trying to hide it
              name = "a"
            }
        "#;
        let m = messages(tf);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("`until=soon`"));
    }

    #[test]
    fn comments_after_the_last_block_and_in_modules() {
        let files = [
            ("main.tf", "module \"q\" { source = \"./q\" }\n"),
            (
                "q/main.tf",
                "resource \"aws_sqs_queue\" \"first\" {}\nresource \"aws_sqs_queue\" \"second\" {}\n# wellarch:ignore REL001\n",
            ),
        ];
        let found = findings_in("OPS005", &files);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].resource, "module.q.aws_sqs_queue.first");
        assert_eq!(found[0].location.line, 3);
    }
}
