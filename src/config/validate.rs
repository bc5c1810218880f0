//! Context, arity, flag and duplicate checks: what nginx's `ngx_conf_handler`
//! and the common `ngx_conf_set_*_slot` handlers refuse, in nginx's words.
//!
//! Walks every root in its context with includes expanded, so a directive in
//! an included file is judged where it is included (as nginx does).

use rustc_hash::FxHashMap as HashMap;

use super::directives::{Context, DirectiveTable};
use super::load::{Config, Expanded};
use crate::diag::{Diagnostic, Severity};
use crate::source::Span;
use crate::syntax::{Directive, NameId};

/// Directives whose handler refuses a second occurrence in the same block
/// (`"root" directive is duplicate`): the `ngx_conf_set_*_slot` family and
/// handlers that check for an earlier value. FLAG directives are added to
/// this list at run time (`ngx_conf_set_flag_slot` checks too).
const REFUSE_DUPLICATES: &[&str] = &[
    "alias",
    "auth_basic",
    "auth_basic_user_file",
    "client_body_buffer_size",
    "client_body_timeout",
    "client_header_timeout",
    "client_max_body_size",
    "default_type",
    "expires",
    "fastcgi_pass",
    "grpc_pass",
    "gzip_comp_level",
    "gzip_min_length",
    "keepalive_requests",
    "keepalive_timeout",
    "large_client_header_buffers",
    "memcached_pass",
    "pid",
    "proxy_buffer_size",
    "proxy_connect_timeout",
    "proxy_http_version",
    "proxy_pass",
    "proxy_read_timeout",
    "proxy_send_timeout",
    "root",
    "scgi_pass",
    "send_timeout",
    "server_names_hash_bucket_size",
    "server_names_hash_max_size",
    "ssl_buffer_size",
    "ssl_ciphers",
    "ssl_client_certificate",
    "ssl_dhparam",
    "ssl_ecdh_curve",
    "ssl_password_file",
    "ssl_protocols",
    "ssl_session_timeout",
    "ssl_trusted_certificate",
    "ssl_verify_client",
    "ssl_verify_depth",
    "try_files",
    "types_hash_max_size",
    "user",
    "uwsgi_pass",
    "worker_connections",
    "worker_processes",
    "worker_rlimit_nofile",
];

/// FLAG directives whose handler is not `ngx_conf_set_flag_slot` and which
/// may repeat or take other spellings.
const FLAG_EXCEPTIONS: &[&str] = &["ssl", "daemon", "master_process"];

/// Whether nginx refuses a second `name` in one block: the
/// `ngx_conf_set_*_slot` handlers and FLAG directives (`flag`), but for the
/// exceptions. The directive table records it per row.
pub(crate) fn refuses_duplicates(name: &str, flag: bool) -> bool {
    REFUSE_DUPLICATES.binary_search(&name).is_ok() || (flag && !FLAG_EXCEPTIONS.contains(&name))
}

pub fn validate(cfg: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for f in &cfg.files {
        out.extend(
            f.errors
                .iter()
                .map(|e| Diagnostic::new("SYN001", Severity::Error, e.span, e.message.clone())),
        );
    }
    let table = DirectiveTable::get();
    for root in &cfg.roots {
        // An explicit stack of (directives, context) keeps deep trees off the call stack.
        let mut stack = vec![(Expanded::Spliced(cfg.root_directives(root)), root.context)];
        // One map, emptied for each block: a new one per block was an
        // allocation for each of a large config's hundreds of thousands.
        let mut seen: HashMap<NameId, Span> = HashMap::default();
        let mut suggestions = Suggestions::default();
        while let Some((dirs, ctx)) = stack.pop() {
            if ctx.is_data_block() {
                continue;
            }
            // Clearing costs the map's capacity: after an unusually large
            // block, start a new one instead.
            if seen.capacity() > 256 {
                seen = HashMap::default();
            } else {
                seen.clear();
            }
            for d in dirs.iter() {
                if never_read_whole(cfg, d) {
                    continue;
                }
                if let Some(child) =
                    check_directive(table, d, ctx, &mut seen, &mut suggestions, &mut out)
                {
                    stack.push((cfg.expanded(d.children()), child));
                }
            }
        }
    }
    out
}

/// A statement nginx never reads whole: cut short by `}` or the end of the
/// file, or holding a token error (`"a"-b`). nginx stops at that syntax
/// error without looking the name up, so judging the statement too would put
/// an error of ours before the one nginx reports (the parser's error already
/// points here). A block directive is judged on its head alone: nginx runs
/// its handler at the `{`, before any error inside the block.
fn never_read_whole(cfg: &Config, d: &Directive) -> bool {
    let end = match (d.semicolon(), &d.block) {
        (Some(semi), _) => semi.end,
        (None, Some(block)) => block.open().end,
        (None, None) => return true,
    };
    let errors = &cfg.file(d.span.file).errors;
    if errors.is_empty() {
        // Nearly every file: asked of every directive, so no search call.
        return false;
    }
    // Errors are sorted by position: find the first at or after the name.
    let i = errors.partition_point(|e| e.span.start < d.name_span().start);
    errors.get(i).is_some_and(|e| e.span.start < end)
}

/// "Did you mean" for each unknown name, worked out once per context and
/// name: a file of one misspelt name repeated had it worked out (a search
/// of the whole table) for every occurrence. By context, then by name, so
/// that a lookup borrows the name.
type Suggestions = HashMap<Context, HashMap<Box<str>, Option<&'static str>>>;

/// Check one directive; returns the context of its block if we should descend.
fn check_directive(
    table: &DirectiveTable,
    d: &Directive,
    ctx: Context,
    seen: &mut HashMap<NameId, Span>,
    suggestions: &mut Suggestions,
    out: &mut Vec<Diagnostic>,
) -> Option<Context> {
    let name = d.name();
    let id = d.name_id();
    let specs = id.map_or(&[][..], |id| table.rows(id));
    let err = |msg: String| Diagnostic::new("SYN002", Severity::Error, d.name_span(), msg);
    if specs.is_empty() {
        // The parser's stand-in name for an anonymous `{` is empty and
        // zero-width (already reported); a quoted `""` is a real, unknown name.
        if d.name_span().is_empty() {
            return None;
        }
        let mut diag = err(format!("unknown directive \"{name}\""));
        let known = suggestions.entry(ctx).or_default();
        let suggestion = match known.get(name) {
            Some(&s) => s,
            None => {
                let s = table.suggest(name, ctx);
                known.insert(name.into(), s);
                s
            }
        };
        if let Some(s) = suggestion {
            diag = diag.with_help(format!("did you mean \"{s}\"?"));
        }
        out.push(diag);
        return None;
    }
    let Some(spec) = specs.iter().find(|s| s.allowed_in(ctx)) else {
        let places: Vec<&str> = specs
            .iter()
            .flat_map(|s| s.contexts.iter().map(|c| c.name()))
            .collect();
        out.push(
            Diagnostic::new(
                "SYN003",
                Severity::Error,
                d.name_span(),
                format!("\"{name}\" directive is not allowed here"),
            )
            .with_help(format!(
                "\"{name}\" belongs in: {}; here is {}",
                places.join(", "),
                ctx.name()
            )),
        );
        return None;
    };
    // Statements cut short never get here (`never_read_whole`), so a missing
    // block means a `;` and a block means no `;`.
    if !spec.block && d.block.is_some() {
        out.push(Diagnostic::new(
            "SYN007",
            Severity::Error,
            d.head_span(),
            format!("directive \"{name}\" is not terminated by \";\""),
        ));
        return None;
    }
    if spec.block && d.block.is_none() {
        out.push(Diagnostic::new(
            "SYN007",
            Severity::Error,
            d.head_span(),
            format!("directive \"{name}\" has no opening \"{{\""),
        ));
        return None;
    }
    if !spec.arity.accepts(d.arg_count()) {
        out.push(Diagnostic::new(
            "SYN004",
            Severity::Error,
            d.head_span(),
            format!("invalid number of arguments in \"{name}\" directive"),
        ));
    } else if spec.arity.flag && !FLAG_EXCEPTIONS.contains(&name) {
        let v = d.args().first().expect("arity checked above");
        if !v.value.eq_ignore_ascii_case("on") && !v.value.eq_ignore_ascii_case("off") {
            out.push(Diagnostic::new(
                "SYN005",
                Severity::Error,
                v.span,
                format!(
                    "invalid value \"{}\" in \"{name}\" directive, it must be \"on\" or \"off\"",
                    v.value
                ),
            ));
        }
    }
    if let (true, Some(id)) = (spec.refuses_duplicates, id) {
        if let Some(first) = seen.get(&id) {
            out.push(
                Diagnostic::new(
                    "SYN006",
                    Severity::Error,
                    d.name_span(),
                    format!("\"{name}\" directive is duplicate"),
                )
                .with_related(*first, "first set here"),
            );
        } else {
            seen.insert(id, d.name_span());
        }
    }
    let block = d.block.as_ref()?;
    if block.raw().is_some() {
        return None;
    }
    Some(ctx.child_of(d.name_id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(src: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.conf");
        std::fs::write(&path, src).unwrap();
        let opts = crate::config::LoadOptions {
            context: Some(Context::Http),
            ..Default::default()
        };
        let cfg = crate::config::load(&[path], &opts);
        validate(&cfg).into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn statements_nginx_never_reads_whole_are_not_judged() {
        // nginx stops at the syntax error; "nosuch" is never looked up.
        assert_eq!(messages("nosuch a\n}"), ["unexpected \"}\""]);
        assert_eq!(messages("nosuch \"a\"b;"), ["unexpected \"b\""]);
        assert_eq!(
            messages("nosuch a"),
            ["unexpected end of file, expecting \";\" or \"}\""]
        );
        // A block is judged on its head, before any error in its body.
        assert_eq!(
            messages("nosuch {\n a \"b\"c;\n}"),
            ["unexpected \"c\"", "unknown directive \"nosuch\""]
        );
    }

    #[test]
    fn a_quoted_empty_name_is_an_unknown_directive() {
        assert_eq!(messages("\"\" x;"), ["unknown directive \"\""]);
        assert_eq!(messages("{ }"), ["unexpected \"{\""]);
    }

    #[test]
    fn duplicate_list_is_sorted_for_binary_search() {
        let mut sorted = REFUSE_DUPLICATES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, REFUSE_DUPLICATES);
    }
}
