//! Unit tests of the signature stage.

use super::suggest::edit_distance;
use super::*;
use syn::parse_quote;

fn parse(item: ItemFn) -> (Signature, Vec<String>) {
    let mut cx = Ctxt::default();
    let sig = Signature::parse(&mut cx, &item);
    (sig, cx.messages())
}

#[test]
fn recognises_roles_by_name() {
    let (sig, errors) = parse(parse_quote! {
        fn f(model: &Mlp, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys, params: &H, config: &RunConfig) -> EstimatorSpec { todo!() }
    });
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(sig.params.len(), 6);
    let labels = sig.get(Role::Labels).map(|p| &p.inner);
    assert_eq!(quote::quote!(#labels).to_string(), "Tensor < 1 , Int >");
}

#[test]
fn reports_every_signature_mistake() {
    let (_, errors) = parse(parse_quote! {
        async fn f(featurs: T, labels: Tensor<1>, model: Mlp, ...) -> Result<EstimatorSpec, ()> { todo!() }
    });
    // `featurs` is reported once, with its suggestion, not again as a missing `features`.
    assert_eq!(errors.len(), 7, "{errors:#?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("did you mean `features`?"))
    );
}

#[test]
fn misspelled_and_non_option_parameters_are_recovered_for_the_fallback() {
    let (sig, errors) = parse(parse_quote! {
        fn f(feature: Tensor<2>, labels: Tensor<1, Int>, mode: ModeKeys) -> EstimatorSpec { todo!() }
    });
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(sig.get(Role::Features).is_none() && sig.get(Role::Labels).is_none());
    let fallback = sig.with_recovered();
    let inner = |role| {
        let ty = fallback.get(role).map(|p| &p.inner);
        quote::quote!(#ty).to_string()
    };
    assert_eq!(inner(Role::Features), "Tensor < 2 >");
    assert_eq!(inner(Role::Labels), "Tensor < 1 , Int >");
}

#[test]
fn duplicate_parameter() {
    let (_, errors) = parse(parse_quote! {
        fn f(features: X, mode: ModeKeys, _mode: ModeKeys) -> EstimatorSpec { todo!() }
    });
    assert_eq!(errors, vec!["duplicate parameter `mode`".to_string()]);
}

#[test]
fn wrong_type_is_not_also_missing() {
    let (_, errors) = parse(parse_quote! {
        fn f(features: X, mode: &str) -> EstimatorSpec { todo!() }
    });
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].starts_with("`mode` must have type `ModeKeys`\n"));
}

#[test]
fn lone_unknown_name_is_offered_the_missing_role() {
    let (_, errors) = parse(parse_quote! {
        fn f(inputs: X, mode: ModeKeys) -> EstimatorSpec { todo!() }
    });
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].ends_with(
            "help: a model_fn needs a `features` parameter: rename `inputs` to `features`"
        ),
        "{}",
        errors[0]
    );
}

#[test]
fn several_unknown_names_leave_the_missing_role_reported() {
    let (_, errors) = parse(parse_quote! {
        fn f(inputs: X, targets: Y, mode: ModeKeys) -> EstimatorSpec { todo!() }
    });
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors[2].starts_with("a model_fn needs a `features` parameter"));
}

#[test]
fn parenthesised_and_invisible_types() {
    let none = proc_macro2::Delimiter::None;
    let labels = proc_macro2::Group::new(none, quote::quote!(Option<L>));
    let (sig, errors) = parse(parse_quote! {
        fn f(features: X, labels: #labels, mode: (ModeKeys), model: (&M)) -> EstimatorSpec { todo!() }
    });
    let labels = sig.get(Role::Labels).map(|p| &p.inner);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(quote::quote!(#labels).to_string(), "L");
}

#[test]
fn distance() {
    assert_eq!(edit_distance("labels", "label"), 1);
    assert_eq!(edit_distance("mode", "mode"), 0);
}

#[test]
fn impl_trait_is_an_error_on_the_impl_in_every_role() {
    let (sig, errors) = parse(parse_quote! {
        fn f(model: &impl Logits, features: impl Into<X>, labels: Option<impl L>, mode: ModeKeys) -> EstimatorSpec { todo!() }
    });
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(errors.iter().all(|e| e.starts_with(
        "a model_fn cannot take `impl Trait`\nhelp: name the type, or declare a type parameter"
    )));
    assert!(sig.get(Role::Model).is_none() && sig.get(Role::Labels).is_none());
}
