#!/usr/bin/env bash
# Retake the user guide's screenshots from the app as it is now.
#
#   docs/make_screenshots.sh [OUT_DIR] [NAME ...]
#
# OUT_DIR defaults to docs/images next to this script; NAMEs (rubric, trace, caption, shortcuts, agreement,
# adjudication, metrics, judge, suggestions) retake only those. Every shot starts from a fresh copy of a freshly built
# sample project and a fresh settings folder, so the labels one shot gives never leak into the next, and your
# own settings and projects are never touched.
#
# Needs: the annotator package installed (`pip install -e .`), Xvfb, xdotool and ImageMagick (`import`,
# `convert`); on Debian or Ubuntu: apt-get install xvfb xdotool imagemagick libxcb-cursor0 fonts-dejavu-core.
# No window manager runs on the virtual screen, so the script gives the app's window the keyboard itself and
# clicks at fixed spots of a 1400x880 window; if a layout change moves a tab or a row, adjust the coordinates
# below and look at every picture before committing it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/images}
[ $# -gt 0 ] && shift
wanted=" ${*:-rubric trace caption shortcuts agreement adjudication metrics judge suggestions} "
python=${PYTHON:-python}
size=1400x880

for tool in Xvfb xdotool import convert; do
  command -v "$tool" >/dev/null || { echo "make_screenshots: $tool is not installed" >&2; exit 1; }
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
xvfb_pid="" app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The sample project, built once; each shot opens its own copy under a short relative name, so the status bar
# shows "sample.sqlite" rather than a folder of this machine.
ANNOTATOR_HOME="$work/home" "$python" -m annotator.cli demo --no-gui --fresh --path "$work/sample.sqlite" >/dev/null 2>&1

# shoot NAME WAIT [XDOTOOL-COMMAND ...] [-- CONVERT-OPTIONS ...]
# Opens the sample copy as alice, waits WAIT seconds, runs each xdotool command (e.g. "key slash",
# "type cap-003", "mousemove 600 400 click 1", "sleep 2"), then saves the screen as OUT_DIR/NAME.png, passed
# through `convert` with the options after `--` (a crop, say).
shoot() {
  local name=$1 wait_s=$2
  shift 2
  case "$wanted" in *" $name "*) ;; *) return 0 ;; esac
  local actions=() crop=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do actions+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift && crop=("$@")
  local run="$work/run-$name"
  rm -rf "$run" && mkdir -p "$run/config"
  cp "$work/sample.sqlite" "$run/sample.sqlite"
  local display=":$((100 + RANDOM % 400))"
  Xvfb "$display" -screen 0 "${size}x24" -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  sleep 1
  (cd "$run" && DISPLAY=$display QT_QPA_PLATFORM=xcb XDG_CONFIG_HOME="$run/config" ANNOTATOR_HOME="$work/home" \
    exec "$python" -m annotator.gui.app sample.sqlite --annotator alice) >"$run/app.log" 2>&1 &
  app_pid=$!
  # On a busy machine the window can take far longer than WAIT to appear: wait for it (up to two minutes),
  # then WAIT seconds more for the project to open and draw.
  local win="" tries=0
  while [ -z "$win" ] && [ $tries -lt 120 ]; do
    sleep 1
    tries=$((tries + 1))
    win=$(DISPLAY=$display xdotool search --onlyvisible --name " - annotator\$" 2>/dev/null | tail -1 || true)
  done
  sleep "$wait_s"
  win=$(DISPLAY=$display xdotool search --onlyvisible --pid "$app_pid" 2>/dev/null | tail -1 || true)
  [ -n "$win" ] && DISPLAY=$display xdotool windowfocus --sync "$win" 2>/dev/null || true
  local action
  for action in "${actions[@]}"; do
    # shellcheck disable=SC2086  # each action is an xdotool command line, split on purpose
    DISPLAY=$display xdotool $action
    sleep 0.5
  done
  sleep "${SETTLE:-4}"  # the app draws what the keys did (longer on a busy machine: SETTLE=10)
  DISPLAY=$display import -window root "$run/screen.png"
  convert "$run/screen.png" "${crop[@]}" -strip "PNG8:$out/$name.png" 2>/dev/null \
    || convert "$run/screen.png" "${crop[@]}" -strip "$out/$name.png"
  kill "$app_pid" 2>/dev/null || true
  wait "$app_pid" 2>/dev/null || true
  kill "$xvfb_pid" 2>/dev/null || true
  wait "$xvfb_pid" 2>/dev/null || true
  app_pid="" xvfb_pid=""
  echo "$out/$name.png: $(du -k "$out/$name.png" | cut -f1) KB"
}

# The rubric view: alice moves to criterion c4 (j j j) and gives it Non-atomic (2); its guideline shows.
shoot rubric 7 "key j" "key j" "key j" "key 2"

# The trace view: search for a trace (/ then its id, Enter), give the steps the keyboard (Esc), then drag over
# the final answer in step 6 so the panel says where the next span label goes.
shoot trace 7 "key slash" "type tr-qft-04" "key Return" "sleep 1" "key Escape" \
  "mousemove 523 575" "mousedown 1" "mousemove 580 576" "mousemove 620 576" "mousemove 641 576" "mouseup 1"

# The caption view: an image, its caption with a marked span, and the verdict buttons per criterion.
shoot caption 7 "key slash" "type cap-005" "key Return" "sleep 1" "key Escape"

# The keyboard shortcut sheet (F1).
shoot shortcuts 7 "key F1" "sleep 1" -- -crop 618x392+381+203 +repage

# The agreement view (Ctrl+Shift+A) on RIFT, computed with 1000 bootstrap resamples.
shoot agreement 7 "key ctrl+shift+a" "sleep 30"

# Disagreements: the tab of the agreement view, then Enter on the first one opens the adjudication dialog.
shoot adjudication 7 "key ctrl+shift+a" "sleep 30" "mousemove 527 188" "click 1" "sleep 1" \
  "mousemove 300 272" "click 1" "key Return" "sleep 1" "key n" "key m"

# The metric view (Ctrl+Shift+M): judge-small against the annotators at the default threshold.
shoot metrics 7 "key ctrl+shift+m" "sleep 20"

# The LLM judge dialog: Metrics menu (Alt+M), Run LLM judge (j), an endpoint and a model filled in.
shoot judge 7 "key alt+m" "key j" "sleep 4" "type http://127.0.0.1:8000/v1" "key Tab" "type judge-model" \
  -- -crop 650x520+365+138 +repage

# Suggestions: Shift+A shows the heuristic's suggestions; on if-06 (five items down) criterion c4 has one.
shoot suggestions 7 "key shift+a" "sleep 1" "key n" "key n" "key n" "key n" "key n" "sleep 1" "key j" "key j" \
  "key j" "sleep 1" -- -crop 340x130+1060+45 +repage
