//! `credlint rules`: list the rules, explain one, write them all as Markdown, or check a user's
//! rule file. The explanations themselves are rendered by [`super::rules_doc`].

use std::io::Write;

use super::args::RulesArgs;
use super::rules_doc;
use super::{EXIT_CLEAN, EXIT_ERROR};
use crate::rules::{Rule, RuleSet};

pub fn run(args: RulesArgs) -> Result<i32, String> {
    if let Some(path) = &args.check {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut set = RuleSet::default();
        return match set.add_file(&path.display().to_string(), &text, crate::rulecheck::FULL) {
            Ok(()) => {
                super::say::out(&format!(
                    "{}: {} rule(s) OK: every example matches and no negative example does.\n",
                    path.display(),
                    set.len()
                ))?;
                Ok(EXIT_CLEAN)
            }
            Err(e) => {
                super::say::note(&format!("credlint: error: {e}"));
                Ok(EXIT_ERROR)
            }
        };
    }
    let rules = RuleSet::builtin().map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match &args.id {
        Some(id) => match rules.get(id) {
            Some(rule) => explain(rule, &rules, &mut out),
            None => {
                let close = crate::message::did_you_mean(id, rules.rules().iter().map(Rule::id));
                let hint = if close.is_empty() {
                    String::new()
                } else {
                    format!("; did you mean {}?", close.join(", "))
                };
                return Err(format!(
                    "no rule {id:?}{hint} (`credlint rules` lists them)"
                ));
            }
        },
        None if args.markdown => out.write_all(rules_doc::markdown(&rules).as_bytes()),
        None if args.json => list_json(&rules, &mut out),
        None => list(&rules, &mut out),
    };
    match written.and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write to standard output: {e}"))
        }
        _ => Ok(EXIT_CLEAN),
    }
}

fn list(rules: &RuleSet, out: &mut dyn Write) -> std::io::Result<()> {
    let width = rules
        .rules()
        .iter()
        .map(|r| r.id().len())
        .max()
        .unwrap_or(2);
    let category_width = rules
        .categories()
        .iter()
        .map(|c| c.len())
        .max()
        .unwrap_or(8)
        .max("CATEGORY".len());
    writeln!(
        out,
        "{:<width$}  {:<6}  {:<8}  {:<category_width$}  TITLE",
        "ID", "KIND", "SEVERITY", "CATEGORY"
    )?;
    for rule in rules.rules() {
        let d = &rule.def;
        writeln!(
            out,
            "{:<width$}  {:<6}  {:<8}  {:<category_width$}  {}",
            d.id,
            d.kind.as_str(),
            d.severity.as_str(),
            rule.category,
            rule.text().title
        )?;
    }
    writeln!(
        out,
        "\n{} rules in {} categories. `credlint rules ID` explains one; `--select ID|CATEGORY` and \
         `--ignore ID|CATEGORY` choose which run.",
        rules.len(),
        rules.categories().len()
    )
}

fn list_json(rules: &RuleSet, out: &mut dyn Write) -> std::io::Result<()> {
    let list: Vec<serde_json::Value> = rules
        .rules()
        .iter()
        .map(|r| {
            serde_json::json!({
                "id": r.def.id,
                "kind": r.def.kind.as_str(),
                "severity": r.def.severity.as_str(),
                "category": r.category,
                "title": r.text().title,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)
}

fn explain(rule: &Rule, rules: &RuleSet, out: &mut dyn Write) -> std::io::Result<()> {
    out.write_all(rules_doc::explain_text(rule, rules).as_bytes())
}
