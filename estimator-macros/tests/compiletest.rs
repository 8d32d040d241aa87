//! `tests/ui` must fail to compile with the `.stderr` snapshots; `tests/pass` must build and run.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/**/*.rs");
    t.pass("tests/pass/*.rs");
}
