//! The manual as one roff page: the command, then each subcommand with its synopsis,
//! description and every flag. clap_mangen's own page lists the subcommands as references
//! to pages of their own (`hopsleuth-scan(1)`), which a single page would leave dangling;
//! `hopsleuth man --dir` writes those pages instead.

use crate::cli::Cli;
use clap::CommandFactory;
use std::fmt::Write;

/// The whole manual, every subcommand and flag on one page.
pub fn single_page() -> String {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut out = String::new();
    let _ = writeln!(
        out,
        ".TH HOPSLEUTH 1 \"\" \"hopsleuth {}\" \"User Commands\"",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str(".SH NAME\nhopsleuth \\- ");
    out.push_str(&roff(
        &cmd.get_about().map(|a| a.to_string()).unwrap_or_default(),
    ));
    out.push_str("\n.SH SYNOPSIS\n\\fBhopsleuth\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n");
    if let Some(long) = cmd.get_long_about() {
        let _ = writeln!(out, ".SH DESCRIPTION\n{}", paragraphs(&long.to_string()));
    }
    out.push_str(".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        let _ = writeln!(out, ".SS \"hopsleuth {name}\"");
        let usage = sub
            .clone()
            .bin_name(format!("hopsleuth {name}"))
            .render_usage()
            .to_string();
        let usage = usage.trim_start_matches("Usage: ");
        let _ = writeln!(out, ".PP\n\\fB{}\\fR", roff(usage));
        let about = sub
            .get_long_about()
            .or_else(|| sub.get_about())
            .map(|a| a.to_string())
            .unwrap_or_default();
        let _ = writeln!(out, ".PP\n{}", paragraphs(&about));
        for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
            arg_entry(&mut out, arg);
        }
    }
    out.push_str(".SH ENVIRONMENT\n.TP\n\\fBNO_COLOR\\fR\nWhen set and not empty, the text report is not coloured unless \\fB\\-\\-color always\\fR asks.\n.TP\n\\fBHOPSLEUTH_NO_DNS\\fR\nAs \\fB\\-\\-no\\-dns\\fR.\n.TP\n\\fBHOPSLEUTH_NOW\\fR\nAs \\fB\\-\\-now\\fR.\n");
    out.push_str(".SH SEE ALSO\nThe README and ARCHITECTURE.md of the source; \\fBhopsleuth explain\\fR \\fIRULE\\fR for each rule's documentation.\n");
    out
}

fn arg_entry(out: &mut String, arg: &clap::Arg) {
    let mut name = String::new();
    if let Some(short) = arg.get_short() {
        let _ = write!(name, "\\fB\\-{short}\\fR, ");
    }
    match arg.get_long() {
        Some(long) => {
            let _ = write!(name, "\\fB\\-\\-{}\\fR", roff(long));
        }
        None => {
            let _ = write!(name, "\\fI{}\\fR", roff(arg.get_id().as_str()));
        }
    }
    if arg.get_long().is_some() && arg.get_action().takes_values() {
        let value = arg
            .get_value_names()
            .and_then(|v| v.first())
            .map(|v| v.to_string())
            .unwrap_or_else(|| "VALUE".into());
        let _ = write!(name, " \\fI{}\\fR", roff(&value));
    }
    let help = arg
        .get_long_help()
        .or_else(|| arg.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default();
    let _ = writeln!(out, ".TP\n{name}\n{}", paragraphs(&help));
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| match v.get_help() {
            Some(h) => format!("\\fB{}\\fR: {}", roff(v.get_name()), roff(&h.to_string())),
            None => format!("\\fB{}\\fR", roff(v.get_name())),
        })
        .collect();
    if !values.is_empty() && !matches!(arg.get_action(), clap::ArgAction::SetTrue) {
        let _ = writeln!(out, ".br\nValues: {}.", values.join("; "));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|d| d.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && arg.get_action().takes_values() {
        let _ = writeln!(out, ".br\nDefault: {}.", roff(&defaults.join(", ")));
    }
}

/// Blank-line-separated paragraphs as roff paragraphs.
fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(|p| roff(p.trim()))
        .collect::<Vec<_>>()
        .join("\n.PP\n")
}

/// Text safe in roff: backslashes and hyphens escaped, no line starting with `.` or `'`.
fn roff(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    escaped
        .lines()
        .map(|l| {
            if l.starts_with('.') || l.starts_with('\'') {
                format!("\\&{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subcommand_and_flag_is_on_the_page() {
        let page = single_page();
        let cmd = Cli::command();
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            assert!(
                page.contains(&format!(".SS \"hopsleuth {}\"", sub.get_name())),
                "{}",
                sub.get_name()
            );
            for arg in sub.get_arguments().filter(|a| !a.is_hide_set()) {
                if let Some(long) = arg.get_long() {
                    let flag = format!("\\-\\-{}", roff(long));
                    assert!(page.contains(&flag), "{} {long}", sub.get_name());
                }
            }
        }
        // One page: no reference to a page that is not written.
        assert!(
            !page.contains("hopsleuth\\-analyze(1)"),
            "dangling reference"
        );
    }
}
