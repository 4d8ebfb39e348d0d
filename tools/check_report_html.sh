#!/usr/bin/env bash
# Renders a sweep report's report.html in headless Chromium (Debian package `chromium`) and
# checks the screenshot: the page is drawn and its embedded plots decode (their line colours
# are on screen). ctest runs it as report_html_chromium when chromium is installed.
#
#   tools/check_report_html.sh NPUSIM [WORKDIR]
#
# Leaves WORKDIR/report/ and WORKDIR/screenshot.png for a look.
set -euo pipefail
npusim=${1:?usage: check_report_html.sh NPUSIM [WORKDIR]}
work=${2:-$(mktemp -d)}
src=$(cd "$(dirname "$0")/.." && pwd)
python=${NPUSIM_PYTHON:-/usr/bin/python3}
rm -rf "$work" && mkdir -p "$work"

"$npusim" sweep "$src/configs/sweeps/sd15-sram.yaml" --out "$work/sram.jsonl" --quiet
"$npusim" report "$work/sram.jsonl" -o "$work/report" >/dev/null

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
  --screenshot="$work/screenshot.png" --window-size=1280,2000 "file://$work/report/report.html" 2>/dev/null

"$python" - "$work/screenshot.png" <<'PY'
import sys
import matplotlib.image as mpimg
img = mpimg.imread(sys.argv[1])[:, :, :3]
h, w = img.shape[:2]
ink = (img.min(axis=2) < 0.9).mean()  # text, tables, plots
# The strategies' line colours (Okabe-Ito: offchip vermillion, onchip blue, fused green) appear only if the
# base64 PNGs decoded.
colours = {"offchip": (0xd5, 0x5e, 0x00), "onchip": (0x00, 0x72, 0xb2), "fused": (0x00, 0x9e, 0x73)}
seen = {k: int((abs(img - [c / 255 for c in v]).max(axis=2) < 0.03).sum()) for k, v in colours.items()}
print(f"screenshot {w}x{h}: {ink:.1%} of pixels drawn; plot colour pixels {seen}")
ok = (w, h) == (1280, 2000) and ink > 0.03 and all(n > 200 for n in seen.values())
sys.exit(0 if ok else "report.html did not render with its plots")
PY
