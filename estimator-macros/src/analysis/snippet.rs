//! Code quoted in a diagnostic, spaced as a person writes it (`mode == ModeKeys::Train`, not
//! the token printer's `mode == ModeKeys :: Train`).

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::ToTokens;

/// `node` as compact source text.
pub fn snippet<T: ToTokens>(node: &T) -> String {
    let mut out = String::new();
    write(node.to_token_stream(), &mut out);
    out
}

/// What the previous token was, as far as spacing cares.
#[derive(Clone, Copy, PartialEq)]
enum Prev {
    Start,
    Word,
    Group,
    /// An operator whose next character follows without a space (`==`, the first `:` of `::`).
    Joint,
    /// A prefix operator (`!x`, `&x`, `-1`), the `!` of a macro call, `.` or `::`.
    Tight,
    /// Any other punctuation: a space follows.
    Spaced,
}

fn write(tokens: TokenStream, out: &mut String) {
    let mut prev = Prev::Start;
    for tt in tokens {
        if space_before(prev, &tt) {
            out.push(' ');
        }
        prev = match &tt {
            TokenTree::Ident(_) | TokenTree::Literal(_) => {
                out.push_str(&tt.to_string());
                Prev::Word
            }
            TokenTree::Group(g) => {
                let (open, close) = delimiters(g.delimiter());
                out.push_str(open);
                write(g.stream(), out);
                out.push_str(close);
                Prev::Group
            }
            TokenTree::Punct(p) => {
                out.push(p.as_char());
                punct_kind(p.as_char(), p.spacing(), prev)
            }
        };
    }
}

fn space_before(prev: Prev, next: &TokenTree) -> bool {
    match (prev, next) {
        (Prev::Start | Prev::Joint | Prev::Tight, _) => false,
        // The `!` of a macro call; `!=` is a joint `!`.
        (Prev::Word, TokenTree::Punct(p)) if p.as_char() == '!' => p.spacing() == Spacing::Joint,
        (_, TokenTree::Punct(p)) => !matches!(p.as_char(), ',' | ';' | '.' | '?' | ':'),
        (Prev::Word, TokenTree::Group(g)) => g.delimiter() == Delimiter::Brace,
        _ => true,
    }
}

fn punct_kind(c: char, spacing: Spacing, prev: Prev) -> Prev {
    let operand_before = matches!(prev, Prev::Word | Prev::Group);
    match c {
        _ if spacing == Spacing::Joint => Prev::Joint,
        '.' => Prev::Tight,
        ':' if prev == Prev::Joint => Prev::Tight,
        _ if prev == Prev::Joint => Prev::Spaced,
        '!' if prev == Prev::Word => Prev::Tight,
        '!' | '&' | '*' | '-' if !operand_before => Prev::Tight,
        _ => Prev::Spaced,
    }
}

fn delimiters(delimiter: Delimiter) -> (&'static str, &'static str) {
    match delimiter {
        Delimiter::Parenthesis => ("(", ")"),
        Delimiter::Bracket => ("[", "]"),
        Delimiter::Brace => ("{ ", " }"),
        Delimiter::None => ("", ""),
    }
}

#[cfg(test)]
mod tests {
    use super::snippet;
    use syn::{Expr, Pat, parse_quote};

    fn expr(e: Expr) -> String {
        snippet(&e)
    }

    #[test]
    fn conditions_read_as_written() {
        assert_eq!(
            expr(parse_quote!(mode == ModeKeys::Predict)),
            "mode == ModeKeys::Predict"
        );
        assert_eq!(
            expr(parse_quote!(!(mode != ModeKeys::Train || false) && flag)),
            "!(mode != ModeKeys::Train || false) && flag"
        );
        assert_eq!(
            expr(parse_quote!(matches!(
                mode,
                ModeKeys::Train | ModeKeys::Eval
            ))),
            "matches!(mode, ModeKeys::Train | ModeKeys::Eval)"
        );
        assert_eq!(
            expr(parse_quote!(*mode == a.b[0] - -1)),
            "*mode == a.b[0] - -1"
        );
        assert_eq!(
            expr(parse_quote!(&mode == &ModeKeys::Eval)),
            "&mode == &ModeKeys::Eval"
        );
    }

    #[test]
    fn patterns_read_as_written() {
        let pat: Pat = parse_quote!(ModeKeys::Eval | ModeKeys::Predict);
        assert_eq!(snippet(&pat), "ModeKeys::Eval | ModeKeys::Predict");
        let pat: Pat = parse_quote!(m @ (Train | Eval));
        assert_eq!(snippet(&pat), "m @ (Train | Eval)");
    }
}
