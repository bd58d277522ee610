# The workspace's binaries as `cargo test --workspace` builds them. Building them any
# other way (`cargo build -p X`, `cargo run -p X`) resolves features for that package
# alone and compiles a second copy of tokio, hyper, reqwest and the rest; after the
# test step this is a no-op.
# Usage: source .ci/lib/binaries.sh; "$(workspace_binary flexshopper-sandbox)" ARGS...

workspace_binary() {
    local name=$1 target_dir
    cargo test --workspace --locked --no-run --quiet >&2 || return 1
    target_dir=$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])') || return 1
    echo "$target_dir/debug/$name"
}
