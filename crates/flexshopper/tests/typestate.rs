//! Out-of-order journey steps do not compile; the expected compiler errors are pinned
//! in tests/compile_fail/*.stderr (regenerate with TRYBUILD=overwrite after review).

#[test]
fn out_of_order_journey_steps_do_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/compile_fail/*.rs");
}
