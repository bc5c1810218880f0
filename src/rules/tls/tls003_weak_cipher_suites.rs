use std::collections::BTreeSet;

use super::{cipher_items, word_weaknesses, CipherItem, CipherOp};
use crate::diag::{Applicability, Diagnostic, Edit, Fix};
use crate::rule;
use crate::rules::profile::MOZILLA_INTERMEDIATE_CIPHERS;
use crate::rules::{Checker, Rule, RuleMeta};
use crate::tls::ciphers::{evaluate, CipherSuite, Weakness};

rule! {
    /// ## What it does
    /// Reports an `ssl_ciphers` string that enables NULL (no encryption),
    /// anonymous (no authentication), EXPORT, RC4, single DES, 3DES or
    /// MD5-MAC cipher suites, naming the suites and what is wrong with them.
    ///
    /// Two things are checked:
    /// - the suites the string really enables, evaluated the way OpenSSL 3
    ///   does (`openssl ciphers -v '…'`); and
    /// - the words in the string that *ask* for a weak class or suite
    ///   (`RC4`, `+RC4`, `3DES`, `EXPORT`, `aNULL` without `!`, `RC4-SHA`,
    ///   `DES-CBC3-SHA`, …) and are not removed again by a `!`/`-` item.
    ///   OpenSSL 3 no longer builds RC4, DES, 3DES or EXPORT suites and
    ///   silently ignores those words, but the same config on an older or
    ///   differently built OpenSSL enables them: the string states the intent.
    ///
    /// PSK and SRP suites are not counted: nginx configures neither, so
    /// OpenSSL never offers them. When `ssl_ciphers` is unset nginx uses
    /// `HIGH:!aNULL:!MD5`, which enables none of these classes, so an unset
    /// directive is never reported.
    ///
    /// ## Why is this bad?
    /// Each class is broken in practice: NULL suites send plaintext,
    /// anonymous suites let anyone in the middle impersonate the server,
    /// EXPORT and DES keys are brute-forced in hours (FREAK, Logjam), RC4's
    /// keystream biases leak plaintext (RFC 7465 forbids it), 3DES's 64-bit
    /// block falls to Sweet32, and HMAC-MD5 suites date from SSLv3. A client
    /// that prefers such a suite, or an attacker who downgrades to it, gets
    /// a connection that is not confidential.
    ///
    /// nginx applies `ssl_ciphers` from `http` to every server that does not
    /// set its own, so one line can weaken every site; it is reported once.
    ///
    /// ## Example
    /// ```nginx
    /// ssl_ciphers ALL:RC4-SHA:!MD5;
    /// ```
    ///
    /// ## Use instead
    /// ```nginx
    /// ssl_ciphers ALL:!aNULL:!MD5;   # or the guide's HIGH:!aNULL:!MD5
    /// ```
    ///
    /// ## Fix safety
    /// The fix is unsafe: it changes which clients can connect. Under the
    /// `guide` profile it keeps the string and removes only the weakness:
    /// the items that ask for a weak class are dropped, and a `!` item is
    /// appended for each weak class the rest still enables (`!aNULL`,
    /// `!eNULL`, `!MD5`, …); if that leaves nothing usable it falls back to
    /// nginx's default `HIGH:!aNULL:!MD5`. Under `intermediate` and `modern`
    /// the string is replaced by Mozilla's intermediate suite list.
    ///
    /// ## References
    /// - [nginx: ssl_ciphers](https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_ciphers)
    /// - [OpenSSL: cipher string format](https://docs.openssl.org/3.0/man1/openssl-ciphers/)
    /// - [RFC 7465: Prohibiting RC4 Cipher Suites](https://www.rfc-editor.org/rfc/rfc7465)
    /// - [Sweet32: birthday attacks on 64-bit block ciphers](https://sweet32.info/)
    pub struct WeakCipherSuites;
    code = "TLS003", name = "weak-cipher-suites", severity = Error,
    summary = "ssl_ciphers enables NULL, anonymous, EXPORT, RC4, DES, 3DES or MD5 suites",
    fix = Always,
}

impl Rule for WeakCipherSuites {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &Checker<'_>, out: &mut Vec<Diagnostic>) {
        // Thousands of servers usually share a handful of cipher strings.
        let mut analysed: rustc_hash::FxHashMap<&str, Findings> = Default::default();
        for d in super::effective_directives(cx, "ssl_ciphers") {
            let Some(arg) = d.args().first() else {
                continue;
            };
            let found = analysed
                .entry(arg.value)
                .or_insert_with(|| analyse(arg.value));
            if found.is_clean() {
                continue;
            }
            let replacement = if cx.spec.strict_suites {
                MOZILLA_INTERMEDIATE_CIPHERS.to_string()
            } else {
                cleaned(arg.value)
            };
            let quoted = super::requote(arg, &replacement);
            out.push(Self::META.at(arg.span, found.message()).with_fix(Fix {
                message: format!("set `ssl_ciphers {replacement}`"),
                applicability: Applicability::Unsafe,
                edits: vec![Edit {
                    span: arg.span,
                    replacement: quoted,
                }],
            }));
        }
    }
}

/// What is weak about one cipher string.
struct Findings<'s> {
    /// Weak suites the string enables with the installed OpenSSL.
    suites: Vec<&'static CipherSuite>,
    /// Items asking for a weak class these suites do not already show.
    asked: Vec<(&'s str, Vec<Weakness>)>,
}

impl Findings<'_> {
    fn is_clean(&self) -> bool {
        self.suites.is_empty() && self.asked.is_empty()
    }

    fn message(&self) -> String {
        let classes = |ws: &mut dyn Iterator<Item = Weakness>| {
            let set: BTreeSet<Weakness> = ws.collect();
            set.iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut message = String::from("ssl_ciphers ");
        if !self.suites.is_empty() {
            let names: Vec<&str> = self.suites.iter().map(|s| s.openssl).collect();
            message += &format!(
                "enables {} weak suite{}: {} ({})",
                names.len(),
                if names.len() == 1 { "" } else { "s" },
                super::name_list(&names, 5),
                classes(&mut self.suites.iter().flat_map(|s| s.weaknesses())),
            );
        }
        if !self.asked.is_empty() {
            let words: Vec<String> = self.asked.iter().map(|(t, _)| format!("`{t}`")).collect();
            message +=
                &format!(
                "{}asks for {} ({}), which OpenSSL 3 no longer builds but older OpenSSL builds \
                 enable",
                if self.suites.is_empty() { "" } else { "; it also " },
                super::name_list(&words, 5),
                classes(&mut self.asked.iter().flat_map(|(_, w)| w.iter().copied())),
            );
        }
        message
    }
}

fn analyse(cipher_string: &str) -> Findings<'_> {
    let suites: Vec<&'static CipherSuite> = evaluate(cipher_string)
        .map(|list| {
            list.suites
                .into_iter()
                .filter(|s| super::negotiable(s) && s.weakness().is_some())
                .collect()
        })
        .unwrap_or_default();
    let shown: BTreeSet<Weakness> = suites.iter().flat_map(|s| s.weaknesses()).collect();
    let items = cipher_items(cipher_string);
    let asked = asked_weak(&items)
        .into_iter()
        .filter(|(_, classes)| classes.iter().any(|c| !shown.contains(c)))
        .map(|(i, classes)| (items[i].text, classes))
        .collect();
    Findings { suites, asked }
}

/// Positive items naming a weak class or suite that no `!` item (anywhere:
/// OpenSSL's kill is permanent) or later `-` item removes again, with the
/// classes they name.
fn asked_weak(items: &[CipherItem<'_>]) -> Vec<(usize, Vec<Weakness>)> {
    let removes = |remover: &CipherItem<'_>, item: &CipherItem<'_>, classes: &[Weakness]| {
        // A compound remover (`!RC4+SHA`) removes only an intersection: ignore it.
        let [word] = remover.words[..] else {
            return false;
        };
        if super::ciphers_by_name(word) {
            item.words.contains(&word)
        } else {
            word_weaknesses(word).iter().any(|c| classes.contains(c))
        }
    };
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.is_positive())
        .filter_map(|(i, item)| {
            let mut classes: Vec<Weakness> =
                item.words.iter().flat_map(|w| word_weaknesses(w)).collect();
            classes.sort();
            classes.dedup();
            if classes.is_empty() {
                return None;
            }
            let removed = items.iter().enumerate().any(|(j, r)| {
                (r.op == CipherOp::Kill || (r.op == CipherOp::Delete && j > i))
                    && removes(r, item, &classes)
            });
            (!removed).then_some((i, classes))
        })
        .collect()
}

/// The string with the weak items dropped and a `!` item appended for each
/// weak class the rest still enables; nginx's default when that fails.
fn cleaned(cipher_string: &str) -> String {
    let items = cipher_items(cipher_string);
    let drop: Vec<usize> = asked_weak(&items).into_iter().map(|(i, _)| i).collect();
    let mut kept: Vec<String> = items
        .iter()
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, item)| item.text.to_string())
        .collect();
    let still: BTreeSet<Weakness> = evaluate(&kept.join(":"))
        .map(|l| {
            l.suites
                .iter()
                .filter(|s| super::negotiable(s))
                .flat_map(|s| s.weaknesses())
                .collect()
        })
        .unwrap_or_default();
    kept.extend(
        still
            .into_iter()
            .map(|w| super::weakness_kill(w).to_string()),
    );
    let candidate = kept.join(":");
    if !kept.is_empty() && evaluate(&candidate).is_ok() && analyse(&candidate).is_clean() {
        candidate
    } else {
        super::DEFAULT_CIPHERS.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(s: &str) -> Vec<&str> {
        analyse(s).asked.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn the_guide_string_is_clean() {
        assert!(analyse("HIGH:!aNULL:!MD5").is_clean());
    }

    #[test]
    fn words_asking_for_unbuilt_classes_are_reported() {
        assert_eq!(asked("HIGH:RC4-SHA:!aNULL"), ["RC4-SHA"]);
        assert_eq!(asked("HIGH:+RC4:3DES"), ["+RC4", "3DES"]);
        assert!(asked("HIGH:RC4:!RC4").is_empty());
        assert!(asked("!RC4:HIGH:RC4").is_empty());
        assert_eq!(asked("HIGH:RC4:-RC4:RC4"), ["RC4"]);
        assert!(asked("HIGH:-RC4:RC4-SHA:!MD5").len() == 1);
        assert!(asked("HIGH:EXP-RC4-MD5:!MD5").is_empty());
    }

    #[test]
    fn enabled_weak_suites_are_named() {
        let f = analyse("ALL");
        assert!(f.suites.iter().any(|s| s.openssl == "ADH-AES128-SHA"));
        assert!(f.asked.is_empty());
    }

    #[test]
    fn cleaning_keeps_the_string() {
        assert_eq!(cleaned("ALL:RC4-SHA"), "ALL:!aNULL");
        assert_eq!(cleaned("HIGH:!MD5:aNULL"), "HIGH:!MD5:!aNULL");
        assert_eq!(cleaned("RC4-SHA"), "HIGH:!aNULL:!MD5");
        assert!(analyse(&cleaned("ALL:eNULL:@SECLEVEL=0")).is_clean());
    }
}
