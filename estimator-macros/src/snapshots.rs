//! Expansion snapshots: each `tests/expand/<form>.rs` holds one `#[model_fn]` function; its
//! expansion, pretty-printed, must equal `tests/expand/<form>.expanded.rs`, so a change in the
//! generated code shows up in review. `SNAPSHOTS=overwrite` rewrites the snapshots (read them
//! before committing); a missing snapshot is written and the test fails until it is reviewed.

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::path::{Path, PathBuf};

/// The `#[model_fn(..)]` function of `source`: its attribute arguments and the function
/// without that attribute.
fn split(source: &str) -> (TokenStream, TokenStream) {
    let mut file: syn::File = syn::parse_str(source).expect("the input parses as a file");
    for item in &mut file.items {
        let syn::Item::Fn(f) = item else { continue };
        let Some(pos) = f.attrs.iter().position(|a| a.path().is_ident("model_fn")) else {
            continue;
        };
        let attr = f.attrs.remove(pos);
        let args = match attr.meta {
            syn::Meta::List(list) => list.tokens,
            _ => TokenStream::new(),
        };
        return (args, f.to_token_stream());
    }
    panic!("no #[model_fn] function in the input");
}

fn expand(path: &Path) -> String {
    let source = std::fs::read_to_string(path).expect("the input is readable");
    let (args, input) = split(&source);
    let out = crate::expand_model_fn(args, input);
    let file: syn::File = syn::parse2(out).expect("the expansion parses as a file");
    prettyplease::unparse(&file)
}

fn inputs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/expand exists")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .filter(|p| !p.to_string_lossy().ends_with(".expanded.rs"))
        .collect();
    inputs.sort();
    inputs
}

#[test]
fn expansions_match_their_snapshots() {
    let overwrite = std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite");
    let mut failures = Vec::new();
    let inputs = inputs();
    assert!(inputs.len() >= 5, "expected the main forms in tests/expand");
    for input in inputs {
        let expanded = expand(&input);
        let snapshot = input.with_extension("expanded.rs");
        match std::fs::read_to_string(&snapshot) {
            Ok(old) if old == expanded => {}
            Ok(_) if !overwrite => failures.push(format!(
                "{}: the expansion changed; review it with SNAPSHOTS=overwrite and `git diff`",
                snapshot.display()
            )),
            Err(_) if !overwrite => {
                std::fs::write(&snapshot, &expanded).expect("the snapshot is writable");
                failures.push(format!(
                    "{}: new snapshot written; review it",
                    snapshot.display()
                ));
            }
            _ => std::fs::write(&snapshot, &expanded).expect("the snapshot is writable"),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
