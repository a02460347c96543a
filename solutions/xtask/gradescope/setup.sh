#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image:
# it installs Rust (the only step that needs the network) and builds the
# grader and every module's runner against the stubs, so that grading a
# submission rebuilds only the modules it changed, offline.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

if ! command -v cargo > /dev/null; then
    if [ -f "$HOME/.cargo/env" ]; then
        . "$HOME/.cargo/env"
    else
        apt-get update -q
        apt-get install -y -q curl gcc libc6-dev
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
            sh -s -- -y --profile minimal --default-toolchain @TOOLCHAIN@
        . "$HOME/.cargo/env"
    fi
fi

cd "$here/handout"
cargo build --offline --locked --package grader @RUNNERS@
