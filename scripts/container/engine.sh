# Sourced by the container scripts: the engine that builds and runs the image.
#   P2L_ENGINE   podman (default) or docker
#   P2L_IMAGE    the image's name (default localhost/patch2loc:latest)
#   P2L_BASE     the Debian 12 base image scripts/container/base.sh makes (default localhost/p2l-base:bookworm)
P2L_ENGINE="${P2L_ENGINE:-podman}"
P2L_IMAGE="${P2L_IMAGE:-localhost/patch2loc:latest}"
P2L_BASE="${P2L_BASE:-localhost/p2l-base:bookworm}"
if [ "$P2L_ENGINE" = podman ] && [ -z "${CONTAINERS_CONF:-}" ]; then
  CONTAINERS_CONF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/containers.conf"
  export CONTAINERS_CONF
fi
command -v "$P2L_ENGINE" > /dev/null || {
  echo "container: '$P2L_ENGINE' not found (install podman, or set P2L_ENGINE=docker)" >&2
  exit 1
}
