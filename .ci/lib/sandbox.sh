# Shared by the CI scripts that need a running flexshopper-sandbox.
# Usage: source .ci/lib/sandbox.sh; start_sandbox WORKDIR API_KEY  → sets SANDBOX_URL,
# stops the sandbox when the calling script exits.

# shellcheck source=binaries.sh
source "$(dirname "${BASH_SOURCE[0]}")/binaries.sh"

start_sandbox() {
    local work=$1 api_key=$2 binary
    binary=$(workspace_binary flexshopper-sandbox) || return 1
    local out="$work/sandbox.stdout"
    : > "$out"
    "$binary" --listen 127.0.0.1:0 --api-key "$api_key" --token-ttl-secs 86400 \
        > "$out" 2> "$work/sandbox.stderr" &
    SANDBOX_PID=$!
    trap 'kill "$SANDBOX_PID" 2>/dev/null || true; wait "$SANDBOX_PID" 2>/dev/null || true' EXIT
    SANDBOX_URL=
    for _ in $(seq 100); do
        SANDBOX_URL=$(sed -n '1s/^listening on //p' "$out")
        [ -n "$SANDBOX_URL" ] && return 0
        sleep 0.1
    done
    echo "the sandbox did not start:" >&2
    cat "$work/sandbox.stderr" >&2
    return 1
}
