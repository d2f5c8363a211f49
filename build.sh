#!/usr/bin/env bash
# dioscope set-up and build. On a fresh Debian bookworm machine: installs what
# is missing (as root; otherwise prints the command and stops), fetches and
# extracts the kernel trees into the cache (~/.cache/dioscope), builds the kernel for every default
# tree, then runs the main job. Re-running with nothing changed only checks (seconds).
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  clang-19 lld-19 llvm-19 libclang-rt-19-dev-wasm32 binaryen   # compiler, wasm-ld, builtins, wasm-opt
  gcc make flex bison bc libc6-dev                              # Kbuild's host tools
  linux-source-6.1 linux-source-6.12                            # the kernel trees
  e2fsprogs btrfs-progs dosfstools                              # filesystem images for scenarios
  xz-utils git patch
  time                                                          # GNU time: wasm-opt's peak RSS in the manifest
  chromium                                                      # the HTML report test (headless, via playwright-core)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "build.sh: missing Debian packages. Run as root:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "build.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v node >/dev/null || [[ $(node -p 'process.versions.node.split(".")[0]') -lt 20 ]]; then
  echo "build.sh: Node.js 20 or newer is required" >&2
  exit 1
fi
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

# Kernel trees from Debian suites other than the machine's (7.x) are
# downloaded by name into the cache with a private apt configuration; the
# machine's package sources do not change. A tree already there is kept.
node --import tsx harness/cli/dioscope.ts trees --fetch

# Build every tree (cached by content hash) as the plain kernel and as the
# debug kernel (lockdep and the kernel's checks, the locking self-tests,
# KUnit, fault injection: what `dioscope check` uses by default; the debug
# tests run on every tree, tests/support/built.ts DEBUG_TREES), then the
# main job.
node --import tsx harness/cli/dioscope.ts build --all "$@"
node --import tsx harness/cli/dioscope.ts build --all --debug "$@"
# Exit 1 from the main job means a seed was not reproduced as expected: the
# table says which, and npm test fails on it; the build itself is fine.
status=0
node --import tsx harness/cli/dioscope.ts main-job || status=$?
if [[ $status -eq 1 ]]; then
  echo "build.sh: a seed scenario did not give its expected verdict (see the table above)" >&2
elif [[ $status -ne 0 ]]; then
  exit "$status"
fi
