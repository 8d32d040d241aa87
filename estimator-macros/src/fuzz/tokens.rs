//! Token-level inputs: mutations of a flattened token list, and random token trees.

use super::rng::Rng;
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// A token list with groups opened and closed in line, so that a mutation can cut across them.
#[derive(Clone)]
enum Flat {
    Open(Delimiter),
    Close,
    Leaf(TokenTree),
}

/// The identifiers a mutation swaps in: the words the analysis keys on.
const REPLACEMENTS: [&str; 15] = [
    "mode",
    "features",
    "labels",
    "Train",
    "Eval",
    "Predict",
    "None",
    "Some",
    "loss",
    "train_op",
    "predictions",
    "EstimatorSpec",
    "return",
    "if",
    "match",
];

/// Further words for random trees: keywords, parameter names and builder names.
const WORDS: [&str; 22] = [
    "fn",
    "let",
    "else",
    "ModeKeys",
    "model",
    "params",
    "config",
    "Option",
    "self",
    "async",
    "mut",
    "x",
    "spec",
    "new",
    "with",
    "true",
    "_",
    "matches",
    "EvalMetricOps",
    "ExportOutputs",
    "RunConfig",
    "impl",
];

const PUNCTS: [char; 22] = [
    '+', '-', '*', '/', '%', '^', '!', '&', '|', '=', '<', '>', '@', '.', ',', ';', ':', '#', '$',
    '?', '~', '\'',
];

const STRINGS: [&str; 10] = [
    "loss",
    "global_step",
    "serving_default",
    "accuracy",
    "::my::rt",
    "(",
    "",
    "a\"b",
    "}{",
    "r#crate",
];

/// `tokens` after one to four random mutations.
pub fn mutate(rng: &mut Rng, tokens: TokenStream) -> TokenStream {
    let mut flat = Vec::new();
    flatten(tokens, &mut flat);
    for _ in 0..1 + rng.below(4) {
        mutate_once(rng, &mut flat);
    }
    rebuild(&flat)
}

fn mutate_once(rng: &mut Rng, flat: &mut Vec<Flat>) {
    let len = flat.len();
    let (i, j) = (rng.below(len), rng.below(len));
    match rng.below(7) {
        0 if len > 0 => {
            flat.remove(i);
        }
        1 if len > 0 => flat.swap(i, j),
        2 if len > 0 => flat.insert(i, flat[i].clone()),
        3 => replace_ident(rng, flat),
        4 => clear_group(rng, flat),
        5 => {
            let (lo, hi) = (i.min(j), i.max(j) + 1);
            flat.insert(hi.min(len), Flat::Close);
            flat.insert(lo, Flat::Open(random_delimiter(rng)));
        }
        _ => {
            let mut inserted = Vec::new();
            flatten(random_stream(rng, 2), &mut inserted);
            let at = rng.below(len + 1);
            flat.splice(at..at, inserted);
        }
    }
}

fn replace_ident(rng: &mut Rng, flat: &mut [Flat]) {
    let idents: Vec<usize> = (0..flat.len())
        .filter(|&k| matches!(flat[k], Flat::Leaf(TokenTree::Ident(_))))
        .collect();
    if idents.is_empty() {
        return;
    }
    let k = *rng.pick(&idents);
    let word = *rng.pick(&REPLACEMENTS);
    flat[k] = Flat::Leaf(TokenTree::Ident(Ident::new(word, Span::call_site())));
}

/// Deletes everything between a random group's delimiters.
fn clear_group(rng: &mut Rng, flat: &mut Vec<Flat>) {
    let opens: Vec<usize> = (0..flat.len())
        .filter(|&k| matches!(flat[k], Flat::Open(_)))
        .collect();
    if opens.is_empty() {
        return;
    }
    let start = *rng.pick(&opens) + 1;
    let mut depth = 0usize;
    let mut end = flat.len();
    for (k, tok) in flat.iter().enumerate().skip(start) {
        match tok {
            Flat::Open(_) => depth += 1,
            Flat::Close if depth == 0 => {
                end = k;
                break;
            }
            Flat::Close => depth -= 1,
            Flat::Leaf(_) => {}
        }
    }
    flat.drain(start..end);
}

fn flatten(tokens: TokenStream, out: &mut Vec<Flat>) {
    for tt in tokens {
        match tt {
            TokenTree::Group(g) => {
                out.push(Flat::Open(g.delimiter()));
                flatten(g.stream(), out);
                out.push(Flat::Close);
            }
            leaf => out.push(Flat::Leaf(leaf)),
        }
    }
}

/// Rebuilds token trees, repairing the nesting: a stray close is dropped, and groups still
/// open at the end are closed there.
fn rebuild(flat: &[Flat]) -> TokenStream {
    let mut stack: Vec<(Delimiter, Vec<TokenTree>)> = vec![(Delimiter::None, Vec::new())];
    for tok in flat {
        match tok {
            Flat::Open(d) => stack.push((*d, Vec::new())),
            Flat::Close => close(&mut stack),
            Flat::Leaf(tt) => {
                if let Some(top) = stack.last_mut() {
                    top.1.push(tt.clone());
                }
            }
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack
        .pop()
        .map(|(_, tts)| tts.into_iter().collect())
        .unwrap_or_default()
}

fn close(stack: &mut Vec<(Delimiter, Vec<TokenTree>)>) {
    if stack.len() < 2 {
        return;
    }
    if let Some((delimiter, tts)) = stack.pop() {
        let group = Group::new(delimiter, tts.into_iter().collect());
        if let Some(top) = stack.last_mut() {
            top.1.push(TokenTree::Group(group));
        }
    }
}

/// Up to eight random token trees, nested at most `depth` groups deep.
pub fn random_stream(rng: &mut Rng, depth: usize) -> TokenStream {
    let len = rng.below(9);
    (0..len).map(|_| random_tree(rng, depth)).collect()
}

fn random_tree(rng: &mut Rng, depth: usize) -> TokenTree {
    if depth > 0 && rng.chance(25) {
        let delimiter = random_delimiter(rng);
        TokenTree::Group(Group::new(delimiter, random_stream(rng, depth - 1)))
    } else {
        random_leaf(rng)
    }
}

fn random_delimiter(rng: &mut Rng) -> Delimiter {
    match rng.below(10) {
        0..=2 => Delimiter::Parenthesis,
        3..=5 => Delimiter::Brace,
        6..=8 => Delimiter::Bracket,
        _ => Delimiter::None,
    }
}

fn random_leaf(rng: &mut Rng) -> TokenTree {
    match rng.below(10) {
        0..=4 => {
            let word = if rng.chance(50) {
                *rng.pick(&REPLACEMENTS)
            } else {
                *rng.pick(&WORDS)
            };
            TokenTree::Ident(Ident::new(word, Span::call_site()))
        }
        5..=7 => {
            let spacing = if rng.chance(30) {
                Spacing::Joint
            } else {
                Spacing::Alone
            };
            TokenTree::Punct(Punct::new(*rng.pick(&PUNCTS), spacing))
        }
        _ => TokenTree::Literal(random_literal(rng)),
    }
}

fn random_literal(rng: &mut Rng) -> Literal {
    match rng.below(5) {
        0 => Literal::u32_unsuffixed(rng.next_u64() as u32),
        1 => Literal::i64_suffixed(rng.next_u64() as i64),
        2 => Literal::f64_unsuffixed(*rng.pick(&[0.0, 1e-3, 2.5, 1e300])),
        3 => Literal::character(*rng.pick(&['a', '\'', '\n', '{'])),
        _ => {
            let text: &&str = rng.pick(&STRINGS);
            Literal::string(text)
        }
    }
}

/// `crate = "path"` arguments, valid ones and mutations of them.
pub fn random_args(rng: &mut Rng) -> TokenStream {
    let valid = [
        "",
        "crate = \"::estimator_runtime\"",
        "crate = \"my::rt\"",
        "crate = \"::estimator_runtime\",",
    ];
    let base: TokenStream = (*rng.pick(&valid)).parse().unwrap_or_default();
    match rng.below(10) {
        0..=2 => base,
        3 => random_stream(rng, 2),
        _ => mutate(rng, base),
    }
}
