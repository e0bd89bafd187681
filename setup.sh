#!/usr/bin/env bash
# handpad set-up, then one action. On a fresh Debian 12 machine with Python 3.11:
#   ./setup.sh pad     install everything, then open the Hangul drawing pad (shipped model)
#   ./setup.sh test    install everything, then run the whole test suite
#   ./setup.sh         install everything only
# Safe to re-run: installed Debian packages and an up-to-date .venv are left as they are.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages: Python venv, the Korean fonts the Hangul data is synthesized from (and the
# pad draws its labels with), Xvfb + xdotool for the window tests, Chromium + its driver for the
# browser pad's tests (Debian's own build: nothing downloads a browser), and the X/GL libraries
# OpenCV's window needs.
APT_PACKAGES=(
  python3-venv python3-pip fontconfig
  fonts-nanum fonts-nanum-extra fonts-nanum-eco fonts-unfonts-core fonts-unfonts-extra fonts-baekmuk
  fonts-noto-cjk fonts-alee fonts-lexi-gulim fonts-lexi-saebom fonts-woowa-bm
  xvfb xdotool
  chromium chromium-driver
  libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon-x11-0 libxcb-xinerama0 libxcb-icccm4
  libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "== installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Python packages, in a virtual environment next to this file.
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.handpad-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "== installing handpad and its Python dependencies into .venv"
  # setuptools too: a venv of Python 3.11 starts with setuptools 65, older than pyproject.toml's
  # build requirement, and builds without isolation (tests/test_install.py) use the venv's own.
  .venv/bin/python -m pip install -q --upgrade pip "setuptools>=77"
  # train-cpu: TensorFlow's CPU wheel on a fresh machine (a GPU user installs handpad[train] instead).
  .venv/bin/python -m pip install -q -e ".[train-cpu,notebook,test]"
  touch "$stamp"
fi

case "${1:-}" in
  pad)  shift; exec .venv/bin/handpad draw hangul "$@" ;;
  test) shift; exec .venv/bin/python -m pytest "$@" ;;
  "")   echo "set-up done: activate with 'source .venv/bin/activate', then run 'handpad --help'"
        # Not automatic (online; no test needs it): more Korean fonts for the Hangul data, see README.md.
        echo "optional, online: 'handpad synth fetch-fonts' adds the Korean fonts of the npm registry" ;;
  *)    echo "usage: ./setup.sh [pad|test] [extra arguments]" >&2; exit 2 ;;
esac
