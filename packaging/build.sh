#!/usr/bin/env bash
# Build the standalone app (one folder: dist/annotator/) and smoke-test it headless.
#
#   packaging/build.sh              build, then test
#   packaging/build.sh --test-only  test an existing dist/annotator/ again
#
# Run from anywhere; it works in the repository root. Needs the project installed (`pip install -e .`) and
# PyInstaller (`pip install pyinstaller`). Build and work folders can be moved with DIST_DIR and WORK_DIR.
# The smoke test builds the sample project with the bundled executable (importers, migrations, taxonomies),
# reads it back with `info --json`, then opens it in the app on Qt's offscreen platform; the app is asked to quit
# ANNOTATOR_SMOKE_QUIT_MS milliseconds after the project opened and must exit 0. Any failure stops the script with a non-zero status.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DIST_DIR="${DIST_DIR:-$ROOT/dist}"
WORK_DIR="${WORK_DIR:-$ROOT/build/pyinstaller}"
GUI_TIMEOUT="${GUI_TIMEOUT:-120}"  # seconds before a GUI run that never quits counts as a failure

case "$(uname -s)" in
  MINGW* | MSYS* | CYGWIN*) EXE="$DIST_DIR/annotator/annotator.exe" ;;
  *) EXE="$DIST_DIR/annotator/annotator" ;;
esac

fail() { echo "build.sh: FAILED: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }

if [[ "${1:-}" != "--test-only" ]]; then
  step "building with $(python -m PyInstaller --version 2>/dev/null || echo 'no PyInstaller')"
  python -m PyInstaller --version >/dev/null 2>&1 || fail "PyInstaller is not installed (pip install pyinstaller)"
  python packaging/make_icon.py >/dev/null
  python -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$DIST_DIR" --workpath "$WORK_DIR" packaging/annotator.spec || fail "PyInstaller"
fi
[[ -x "$EXE" ]] || fail "no executable at $EXE"
step "size of the built folder"
du -sh "$DIST_DIR/annotator"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
# Keep the test away from the user's own settings and data: data folder, Qt settings, caches.
export ANNOTATOR_HOME="$TMP/home"
export XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" XDG_CACHE_HOME="$TMP/cache"
export MPLCONFIGDIR="$TMP/mpl"
export QT_QPA_PLATFORM=offscreen
mkdir -p "$ANNOTATOR_HOME" "$XDG_CONFIG_HOME/annotator"
PROJECT="$TMP/sample.sqlite"

step "annotator --version"
"$EXE" --version || fail "--version"

step "annotator demo --no-gui --path $PROJECT"
"$EXE" demo --no-gui --path "$PROJECT" || fail "building the sample project"
[[ -s "$PROJECT" ]] || fail "the sample project was not written"

step "annotator info --json"
"$EXE" info "$PROJECT" --json > "$TMP/info.json" || fail "info"
cat "$TMP/info.json"; echo
python - "$TMP/info.json" <<'PY' || fail "info --json does not describe the sample project"
import json, sys
info = json.load(open(sys.argv[1], encoding="utf-8"))
kinds = info["items"]
for kind in ("rubric", "caption", "trace"):
    assert kinds.get(kind, 0) > 0, f"no {kind} items"
assert info["labels"] > 0, "no labels"
assert len(info["annotators"]) >= 2, "fewer than two annotators"
assert {"rift", "reasoning_errors", "step_rating", "caption_verdict", "caption_errors"} <= set(info["taxonomies"]), \
    f"built-in taxonomies missing: {info['taxonomies']}"
print("info: " + ", ".join(f"{n} {k}" for k, n in kinds.items()) + f"; {info['labels']} labels")
PY

step "annotator agreement and f1 (statistics: scikit-learn, krippendorff, scipy; report charts: matplotlib)"
"$EXE" agreement "$PROJECT" --taxonomy rift --json --bootstrap 200 --html "$TMP/agreement.html" \
  > "$TMP/agreement.json" || fail "agreement"
"$EXE" f1 "$PROJECT" --metric judge-small --taxonomy rift --json > "$TMP/f1.json" || fail "f1"
[[ -s "$TMP/agreement.html" ]] || fail "no agreement report written"
python - "$TMP/agreement.json" "$TMP/f1.json" <<'PY' || fail "agreement or f1 --json gave no figures"
import json, sys
agreement = json.load(open(sys.argv[1], encoding="utf-8"))
f1 = json.load(open(sys.argv[2], encoding="utf-8"))
alpha = agreement["overall"]["krippendorff_alpha"]
assert isinstance(alpha, float), f"no Krippendorff's alpha: {alpha!r}"
assert isinstance(f1["micro_f1"], float), f"no micro F1: {f1['micro_f1']!r}"
print(f"rift: {agreement['units']} units, alpha {alpha:.3f}; judge-small micro F1 {f1['micro_f1']:.3f}")
PY

step "annotator gui (offscreen, quits after ANNOTATOR_SMOKE_QUIT_MS=3000)"
# The app asks for the annotator's name on first run; give it one through its settings file (Linux: QSettings'
# INI file under XDG_CONFIG_HOME) so no dialog waits for a click.
printf '[annotator]\nname=smoke-test\n' > "$XDG_CONFIG_HOME/annotator/annotator.conf"
# `timeout` is GNU coreutils: on macOS it is `gtimeout` (brew install coreutils) or absent.
TIMEOUT=()
if command -v timeout >/dev/null; then TIMEOUT=(timeout "$GUI_TIMEOUT")
elif command -v gtimeout >/dev/null; then TIMEOUT=(gtimeout "$GUI_TIMEOUT"); fi
set +e
ANNOTATOR_SMOKE_QUIT_MS=3000 ${TIMEOUT[@]+"${TIMEOUT[@]}"} "$EXE" gui "$PROJECT" > "$TMP/gui.log" 2>&1
status=$?
set -e
cat "$TMP/gui.log"
if [[ $status -eq 124 ]]; then
  # The app records a project as the last one once its window has it open: tell "stuck before the project
  # opened" (a missing module, a dialog) from "opened it but never quit".
  if grep -qF "last=$PROJECT" "$XDG_CONFIG_HOME/annotator/annotator.conf" 2>/dev/null; then
    fail "the app opened the project but did not quit within ${GUI_TIMEOUT}s (does it honour ANNOTATOR_SMOKE_QUIT_MS?)"
  fi
  fail "the app did not quit within ${GUI_TIMEOUT}s and never recorded the project as open"
fi
[[ $status -eq 0 ]] || fail "the app exited with status $status"

echo
echo "build.sh: the built app passed the smoke test"
