#!/usr/bin/env bash
# Makes the Debian 12 (bookworm) base image from nothing but the package registry this machine's
# apt already uses: debootstrap into a folder, then import it as $P2L_BASE. No image registry is
# needed. Skips the work when the image exists (P2L_REBUILD_BASE=1 makes it again).
# Needs root, debootstrap and podman (or docker).
# Usage: base.sh                  make the image
#        base.sh --print-sources  print the archive and security URIs it would use, and stop
#   P2L_DEBIAN_MIRROR, P2L_DEBIAN_SECURITY  other URIs; P2L_APT_ETC: read apt's settings there
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
etc="${P2L_APT_ETC:-/etc/apt}"

# The archive and security URIs for bookworm, from deb822 .sources files or one-line lists.
apt_uri() {  # $1: suite pattern (grep -E), prints the first URI serving it
  local f
  for f in "$etc"/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v pat="$1" '
      /^[[:space:]]*$/ { if (uri != "" && match(suites, pat)) { print uri; exit } uri = ""; suites = ""; next }
      /^URIs:/ { uri = $2 } /^Suites:/ { suites = $0 }
      END { if (uri != "" && match(suites, pat)) print uri }' "$f"
  done
  cat "$etc"/sources.list "$etc"/sources.list.d/*.list 2> /dev/null |
    awk -v pat="$1" '$1 == "deb" && match($3, pat) { print $2 }' || true
}
mirror="${P2L_DEBIAN_MIRROR:-$(apt_uri '(^|[[:space:]])bookworm([[:space:]]|$)' | head -1)}"
security="${P2L_DEBIAN_SECURITY:-$(apt_uri 'bookworm-security' | head -1)}"
[ -n "$mirror" ] || { echo "[base] no bookworm archive in this machine's apt sources ($etc); set P2L_DEBIAN_MIRROR" >&2; exit 1; }
if [ "${1:-}" = --print-sources ]; then
  printf 'archive %s\nsecurity %s\n' "$mirror" "${security:-none}"
  exit 0
fi
source "$here/engine.sh"
if [ -z "${P2L_REBUILD_BASE:-}" ] && "$P2L_ENGINE" image exists "$P2L_BASE" 2> /dev/null; then
  echo "[base] $P2L_BASE exists"
  exit 0
fi
command -v debootstrap > /dev/null || { echo "[base] debootstrap not found (apt-get install debootstrap)" >&2; exit 1; }
echo "[base] Debian archive: $mirror; security: ${security:-none}"

work="$(mktemp -d /var/tmp/p2l-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
t0=$SECONDS
debootstrap --variant=minbase --include=ca-certificates bookworm "$work/root" "$mirror" > "$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  echo "[base] debootstrap failed (log above)" >&2
  exit 1
}
{
  printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror"
  [ -z "$security" ] || printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$security"
} > "$work/root/etc/apt/sources.list.d/debian.sources"
rm -f "$work/root/etc/apt/sources.list"
# A site whose proxy intercepts TLS trusts its own certificate authorities: carry this machine's
# local ones into the image, and have pip use the system's store, which then holds them.
if compgen -G '/usr/local/share/ca-certificates/*.crt' > /dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$work/root/usr/local/share/ca-certificates/"
  chroot "$work/root" update-ca-certificates > /dev/null
  echo "[base] local certificate authorities carried in: $(cd /usr/local/share/ca-certificates && echo *.crt)"
fi
rm -rf "$work/root/var/lib/apt/lists/"* "$work/root/var/cache/apt/"*.bin "$work/root/var/cache/apt/archives/"*.deb
echo "[base] root file system made in $((SECONDS - t0)) s ($(du -sh "$work/root" | cut -f1))"
tar -C "$work/root" --numeric-owner -c . |
  "$P2L_ENGINE" import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' - "$P2L_BASE" > /dev/null
echo "[base] imported as $P2L_BASE in $((SECONDS - t0)) s"
