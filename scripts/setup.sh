#!/usr/bin/env bash
# npm run setup (as root): installs everything the real tests and the lab need, idempotently.
#   1. Debian packages (scripts/apt-packages.txt), with service auto-start denied (policy-rc.d);
#   2. terraform-provider-openstack, built from the Go module proxy with `go install`, into the
#      project's filesystem mirror ($DVR_LAB_TOOLS/tf-mirror, both registry host trees);
#   3. the Terraform CLI: the machine's `terraform` 1.x when present, else OpenTofu built from the Go
#      module proxy into $DVR_LAB_TOOLS/bin/tofu;
#   4. the project's Terraform CLI config ($DVR_LAB_TOOLS/terraform.tfrc: the mirror only, no direct
#      installation, so nothing ever asks a registry) and $DVR_LAB_TOOLS/toolchain.json, the one
#      record every dvr-lab command and test reads (lib/toolchain/terraform.ts).
# A second run checks and changes nothing (seconds). Environment:
#   DVR_LAB_TOOLS     where the tools go (default /opt/dvr-lab)
#   DVR_LAB_CLI=tofu  build and use OpenTofu even when terraform is present
#   DVR_LAB_SKIP_APT=1  skip step 1 (for the toolchain alone)
set -euo pipefail

TOOLS=${DVR_LAB_TOOLS:-/opt/dvr-lab}
OPENSTACK_MODULE=github.com/terraform-provider-openstack/terraform-provider-openstack/v3
OPENSTACK_VERSION=3.4.0
TOFU_MODULE=github.com/opentofu/opentofu
TOFU_VERSION=1.10.10
HERE=$(cd "$(dirname "$0")" && pwd)
STARTED=$(date +%s)

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: FAILED: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - STARTED )) s"; }

[ "$(id -u)" -eq 0 ] || die "run as root (sudo npm run setup): it installs Debian packages and writes $TOOLS"

# ---- 1. Debian packages -------------------------------------------------------------------------
install_apt() {
  # No package postinst may start a daemon on this machine (the tests start what they need).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  local wanted=() missing=() p
  while read -r p; do
    p=${p%%#*}; p=${p//[[:space:]]/}
    [ -n "$p" ] && wanted+=("$p")
  done < "$HERE/apt-packages.txt"
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "Debian packages: all ${#wanted[@]} installed"
    return
  fi
  say "Debian packages: installing ${#missing[@]} (${missing[*]})"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${wanted[@]}" >/tmp/dvr-lab-setup-apt.log 2>&1 ||
    { tail -20 /tmp/dvr-lab-setup-apt.log >&2; die "apt-get install failed (log: /tmp/dvr-lab-setup-apt.log)"; }
  say "Debian packages: done ($(elapsed))"
}

# ---- Go builds ----------------------------------------------------------------------------------
need_go() {
  command -v go >/dev/null 2>&1 || die "Go is needed to build the providers (go >= 1.24; not found on PATH)"
}

# go_fail MODULE VERSION LOG: the module, the version and the go command's own error line.
go_fail() {
  local line
  line=$(grep -E '^go: |error|403|404|invalid' "$3" | tail -1)
  die "cannot build $1@$2: ${line:-see $3}"
}

# ---- 2. terraform-provider-openstack ------------------------------------------------------------
MIRROR=$TOOLS/tf-mirror
PROVIDER_REL=terraform-provider-openstack/openstack/$OPENSTACK_VERSION/linux_amd64
PROVIDER_DIR=$MIRROR/registry.terraform.io/$PROVIDER_REL
PROVIDER_BIN=$PROVIDER_DIR/terraform-provider-openstack
PROVIDER_STAMP=$PROVIDER_DIR/.built-from

build_provider() {
  local want="$OPENSTACK_MODULE@v$OPENSTACK_VERSION"
  if [ -x "$PROVIDER_BIN" ] && [ "$(cat "$PROVIDER_STAMP" 2>/dev/null)" = "$want" ]; then
    say "terraform-provider-openstack $OPENSTACK_VERSION: present ($PROVIDER_BIN)"
  else
    need_go
    say "terraform-provider-openstack $OPENSTACK_VERSION: go install $want (about 2-4 min on 2 cores) ..."
    mkdir -p "$PROVIDER_DIR"
    local log=/tmp/dvr-lab-setup-go-provider.log
    CGO_ENABLED=0 GOFLAGS=-trimpath GOBIN="$PROVIDER_DIR" go install "$want" >"$log" 2>&1 ||
      go_fail "$OPENSTACK_MODULE" "v$OPENSTACK_VERSION" "$log"
    echo "$want" > "$PROVIDER_STAMP"
    say "terraform-provider-openstack $OPENSTACK_VERSION: built ($(elapsed))"
  fi
  # OpenTofu resolves unqualified sources on registry.opentofu.org: the same binary serves both.
  mkdir -p "$MIRROR/registry.opentofu.org/terraform-provider-openstack/openstack/$OPENSTACK_VERSION"
  ln -sfn "$PROVIDER_DIR" "$MIRROR/registry.opentofu.org/$PROVIDER_REL"
}

# ---- 3. the Terraform CLI -----------------------------------------------------------------------
TOFU_BIN=$TOOLS/bin/tofu
build_tofu() {
  local want="$TOFU_MODULE@v$TOFU_VERSION"
  if [ -x "$TOFU_BIN" ] && "$TOFU_BIN" version -json 2>/dev/null | grep -q "\"$TOFU_VERSION\""; then
    say "OpenTofu $TOFU_VERSION: present ($TOFU_BIN)"
    return
  fi
  need_go
  # OpenTofu's go.mod has a replace directive, so `go install mod@version` is refused: build it as the
  # main module from the module cache's copy of its source.
  say "OpenTofu $TOFU_VERSION: building from the Go module proxy (several minutes on 2 cores) ..."
  local log=/tmp/dvr-lab-setup-go-tofu.log src work
  src=$(CGO_ENABLED=0 go mod download -json "$want" 2>"$log" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') ||
    go_fail "$TOFU_MODULE" "v$TOFU_VERSION" "$log"
  if [ -z "$src" ] || [ ! -d "$src" ]; then go_fail "$TOFU_MODULE" "v$TOFU_VERSION" "$log"; fi
  work=$(mktemp -d /tmp/dvr-lab-tofu-src.XXXXXX)
  cp -r "$src/." "$work" && chmod -R u+w "$work"
  mkdir -p "$(dirname "$TOFU_BIN")"
  (cd "$work" && CGO_ENABLED=0 GOFLAGS=-trimpath go build \
    -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$TOFU_BIN" ./cmd/tofu) >>"$log" 2>&1 || {
    rm -rf "$work"
    go_fail "$TOFU_MODULE" "v$TOFU_VERSION" "$log"
  }
  rm -rf "$work"
  say "OpenTofu $TOFU_VERSION: built ($(elapsed))"
}

CLI_KIND='' CLI_BIN='' CLI_VERSION=''
choose_cli() {
  local tf
  tf=$(command -v terraform 2>/dev/null || true)
  if [ "${DVR_LAB_CLI:-}" != "tofu" ] && [ -n "$tf" ]; then
    CLI_VERSION=$(TF_CLI_CONFIG_FILE=/dev/null "$tf" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p' | head -1)
    case "$CLI_VERSION" in
      1.*) CLI_KIND=terraform CLI_BIN=$tf
           say "Terraform CLI: $tf ($CLI_VERSION), the machine's own"
           return ;;
      *) say "Terraform CLI: $tf reports version '${CLI_VERSION:-?}', not 1.x: using OpenTofu instead" ;;
    esac
  fi
  build_tofu
  CLI_KIND=tofu CLI_BIN=$TOFU_BIN
  CLI_VERSION=$("$TOFU_BIN" version -json | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p' | head -1)
}

# ---- 4. CLI config and the toolchain record ---------------------------------------------------
write_if_changed() { # FILE: content on stdin; keeps the file (and its mtime) when equal
  local tmp
  tmp=$(mktemp "$1.XXXXXX")
  cat > "$tmp"
  if cmp -s "$tmp" "$1" 2>/dev/null; then rm -f "$tmp"; else mv "$tmp" "$1"; say "wrote $1"; fi
  chmod 644 "$1"
}

write_config() {
  write_if_changed "$TOOLS/terraform.tfrc" <<EOF
# dvr-lab's Terraform CLI config (written by npm run setup). Every command dvr-lab runs uses it through
# TF_CLI_CONFIG_FILE: providers come from the project's filesystem mirror only; no direct installation,
# so nothing ever asks a registry.
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "$MIRROR"
    include = ["registry.terraform.io/*/*", "registry.opentofu.org/*/*"]
  }
}
EOF
  write_if_changed "$TOOLS/toolchain.json" <<EOF
{
  "cli": { "kind": "$CLI_KIND", "path": "$CLI_BIN", "version": "$CLI_VERSION" },
  "cliConfigFile": "$TOOLS/terraform.tfrc",
  "mirror": "$MIRROR",
  "providers": {
    "registry.terraform.io/terraform-provider-openstack/openstack": { "version": "$OPENSTACK_VERSION", "module": "$OPENSTACK_MODULE@v$OPENSTACK_VERSION", "binary": "$PROVIDER_BIN" }
  }
}
EOF
}

mkdir -p "$TOOLS"
if [ "${DVR_LAB_SKIP_APT:-}" = "1" ]; then say "Debian packages: skipped (DVR_LAB_SKIP_APT=1)"; else install_apt; fi
build_provider
choose_cli
write_config
say "ready in $(elapsed): $CLI_KIND $CLI_VERSION ($CLI_BIN), provider mirror $MIRROR, CLI config $TOOLS/terraform.tfrc"
