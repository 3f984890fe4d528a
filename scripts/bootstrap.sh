#!/usr/bin/env bash
# Install what the kiosk needs and is missing: Debian packages, then the virtual environment at .venv
# with the `kiosk` command. Safe to run again; it only does what is not done yet.
#   scripts/bootstrap.sh          runtime packages
#   scripts/bootstrap.sh test     runtime + test packages (PostgreSQL server, Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

want=(libzbar0 tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng poppler-utils libgl1 libgl1-mesa-dri
      libegl1 libegl-mesa0 libmtdev1 libusb-1.0-0 fonts-dejavu-core espeak-ng sox
      fonts-material-design-icons-iconfont sane-utils)
if [ "${1:-}" = "test" ]; then
  want+=(postgresql chromium chromium-driver)
fi
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  want+=(python3-venv)
fi

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

extras="[test]"
stamp=".venv/.installed"
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  python3 -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extras"
  touch "$stamp"
fi
