#!/usr/bin/env bash
# Builds scopien-hooks from this checkout and installs it, with shell completions.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: ./install.sh [--prefix DIR] [--no-completions] [--debug] [--help]

Builds scopien-hooks with cargo and installs it to PREFIX/bin (default ~/.local/bin),
and its completions for bash, zsh and fish in each shell's user location:
  bash  ${XDG_DATA_HOME:-~/.local/share}/bash-completion/completions/scopien-hooks
  zsh   ${XDG_DATA_HOME:-~/.local/share}/zsh/site-functions/_scopien-hooks
  fish  ${XDG_CONFIG_HOME:-~/.config}/fish/completions/scopien-hooks.fish
Running it again replaces what it installed before.

Options:
  --prefix DIR       install the binary to DIR/bin (default: ~/.local)
  --no-completions   do not install shell completions
  --debug            build without optimisations (faster to build, slower to run)
  -h, --help         show this help
USAGE
}

prefix="${HOME}/.local"
completions=1
profile=release
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix)
      [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }
      prefix="$2"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --no-completions) completions=0; shift ;;
    --debug) profile=debug; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

if ! command -v cargo >/dev/null 2>&1; then
  echo "install.sh: cargo is not installed; install Rust from https://rustup.rs and run this again" >&2
  exit 1
fi

src_dir=$(cd "$(dirname "$0")" && pwd)
cd "$src_dir"

echo "Building scopien-hooks ($profile)..."
if [ "$profile" = release ]; then
  cargo build --release --locked --bin scopien-hooks
else
  cargo build --locked --bin scopien-hooks
fi
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
built="${target_dir:-$src_dir/target}/$profile/scopien-hooks"

mkdir -p "$prefix/bin"
install -m 0755 "$built" "$prefix/bin/scopien-hooks"
echo "Installed $prefix/bin/scopien-hooks ($("$prefix/bin/scopien-hooks" --version))"

if [ "$completions" = 1 ]; then
  data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
  config_home="${XDG_CONFIG_HOME:-$HOME/.config}"
  install_completion() { # SHELL DEST
    mkdir -p "$(dirname "$2")"
    "$prefix/bin/scopien-hooks" completions "$1" >"$2.tmp"
    mv "$2.tmp" "$2"
    echo "Installed $1 completions: $2"
  }
  install_completion bash "$data_home/bash-completion/completions/scopien-hooks"
  install_completion zsh "$data_home/zsh/site-functions/_scopien-hooks"
  install_completion fish "$config_home/fish/completions/scopien-hooks.fish"
  echo "zsh: add '$data_home/zsh/site-functions' to fpath before compinit if it is not there yet."
fi

case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "Note: $prefix/bin is not on your PATH; add it, e.g. export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
echo "Done. Try: scopien-hooks --help"
