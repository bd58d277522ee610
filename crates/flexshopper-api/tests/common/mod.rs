//! Helpers shared by the snapshot tests.

/// The names of the committed snapshots `tests/snapshots/{prefix}{name}.snap`.
/// insta never deletes a snapshot whose assertion is gone, so the tests compare
/// these with what they assert to catch snapshots left behind by a spec change.
pub fn committed_snapshots(prefix: &str) -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|file| {
            let name = file.strip_prefix(prefix)?.strip_suffix(".snap")?;
            Some(name.to_owned())
        })
        .collect();
    names.sort();
    names
}
