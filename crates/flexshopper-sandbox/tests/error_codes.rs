//! Every error code the sandbox can send is registered in the spec's `x-error-codes`
//! registry (components.schemas.ErrorCode) with the status the sandbox sends it with, and
//! every code the registry says only the sandbox sends is one it does send.

use flexshopper_sandbox::contract::registered_error_codes;
use flexshopper_sandbox::error::Code;

#[test]
fn every_code_the_sandbox_sends_is_registered_with_its_status() {
    let registry = registered_error_codes();
    assert!(
        !registry.is_empty(),
        "the spec has no x-error-codes registry"
    );
    for code in Code::ALL {
        let entry = registry
            .iter()
            .find(|r| r.code == code.wire())
            .unwrap_or_else(|| {
                panic!(
                    "{code:?} ({}) is not in the spec's x-error-codes",
                    code.wire()
                )
            });
        if let Some(status) = entry.status {
            assert_eq!(
                status,
                code.status().as_u16(),
                "{code:?}: the registry says {status}"
            );
        }
    }
}

#[test]
fn every_sandbox_only_code_of_the_registry_is_sent_by_the_sandbox() {
    for entry in registered_error_codes()
        .iter()
        .filter(|r| r.source == "sandbox")
    {
        assert!(
            Code::ALL.iter().any(|c| c.wire() == entry.code),
            "the registry lists {} as a sandbox code, but the sandbox never sends it",
            entry.code
        );
    }
}

/// Envelopes are rendered in one place, from a `Code`: no other source file spells an
/// error object, so no code can bypass the list above.
#[test]
fn only_the_error_module_renders_error_bodies() {
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut stack = vec![std::path::PathBuf::from(src)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("error.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                assert!(
                    !text.contains("\"error\"") && !text.contains("\"statusCode\""),
                    "{} builds an error body by hand; use error::ApiError",
                    path.display()
                );
            }
        }
    }
}
