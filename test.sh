#!/usr/bin/env bash
# The test suite, with what it needs installed first when missing:
#   - python3 (with venv), node/npm and Chromium, from apt (the inspector's
#     browser test drives the system's Chromium: no browser is ever downloaded);
#   - the PostgreSQL server packages (initdb, pg_ctl), from apt, for the emulator's tests;
#   - the providers' own webhook libraries the interop tests check against:
#     a Python venv at target/test-env/venv from tests/interop/requirements.txt,
#     and tests/interop/node_modules from tests/interop/package-lock.json;
#   - playwright-core, into tests/browser/node_modules from tests/browser/package-lock.json.
# Their locations are exported for the tests, then `cargo test --locked "$@"` runs.
set -euo pipefail
cd "$(dirname "$0")"

interop=tests/interop
browser=tests/browser
venv=target/test-env/venv

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -o DPkg::Lock::Timeout=600 -y -qq)
  # The package lists are refreshed only when an install cannot find the packages.
  if ! "${apt[@]}" install "$@" >/dev/null 2>&1; then
    "${apt[@]}" update >/dev/null
    "${apt[@]}" install "$@" >/dev/null
  fi
}

missing=()
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
# The emulator's PostgreSQL tests start a throwaway cluster from the server packages.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if ((${#missing[@]})); then
  echo "test.sh: installing ${missing[*]}" >&2
  apt_install "${missing[@]}"
fi

# The venv is rebuilt whenever the pinned requirements change.
if ! cmp -s "$interop/requirements.txt" "$venv/requirements.txt" 2>/dev/null; then
  echo "test.sh: installing the Python interop libraries into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$interop/requirements.txt"
  cp "$interop/requirements.txt" "$venv/requirements.txt"
fi

# npm ci installs exactly each lock file, again whenever it changes.
for dir in "$interop" "$browser"; do
  if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json" 2>/dev/null; then
    echo "test.sh: installing the Node packages of $dir into $dir/node_modules" >&2
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$dir" --silent --no-audit --no-fund
    cp "$dir/package-lock.json" "$dir/node_modules/.installed-lock.json"
  fi
done

INTEROP_PYTHON="$PWD/$venv/bin/python"
INTEROP_NODE="$(command -v node)"
export INTEROP_PYTHON INTEROP_NODE

exec cargo test --locked "$@"
