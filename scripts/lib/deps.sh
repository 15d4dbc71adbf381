# Sourced by scripts/*.sh: installs the Debian packages the build, the tests
# and the demo need, when running as root and something is missing.

TRACK_PACKAGES=(
  build-essential pkg-config cmake clang libclang-rt-14-dev
  libelf-dev uuid-dev libyajl-dev libmariadb-dev libmariadb-dev-compat
  mariadb-server mariadb-client munge slurmctld slurmd slurm-client
  python3 binutils file procps util-linux valgrind
  libpython3.11-testsuite python3-psutil python3-numpy python3-yaml python3-venv python3-pip python3-setuptools
  lmod gfortran
  openmpi-bin libopenmpi-dev mpich libmpich-dev slurmdbd slurm-wlm-mysql-plugin
  scdoc man-db groff-base debhelper dpkg-dev lintian chromium
)

track_missing_packages() {
  local p missing=()
  for p in "${TRACK_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

track_ensure_packages() {
  local missing
  missing=$(track_missing_packages)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: $missing (run as root to install them, or install them yourself)" >&2
    return 1
  fi
  echo "installing: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # word splitting of the package list is wanted
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}
