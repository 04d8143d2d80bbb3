#!/usr/bin/env bash
# Browser check of the exported site, in headless Chromium (Debian package `chromium`,
# installed by `make deps`; this script installs nothing).
#
#   .ci/browser-check.sh [SITE_DIR]        (default: site, after `learn-mp export --out site`)
#
# Fails on:
#   - a broken link or anchor, or anything linked or loaded from outside the site
#     (.ci/site-links.py, which also checks the search index's entries);
#   - a message on the browser console (the site's scripts never log: any message is an error);
#   - tabs that do not switch (tabs.js `?selftest` clicks every tab, presses the arrow keys);
#   - a search that does not find 进程池 and imap_unordered, or does not answer the keyboard
#     (search.js `?selftest`);
#   - a page wider than a 390 px window (tabs.js `?selftest` measures it there), or a table
#     cell narrower than five characters at 1280 px.
# Screenshots go to .build/screenshots/: every page at 390 and 1280 px, in dark mode the index
# and the first page with samples at both widths, and that page with JavaScript off.
set -uo pipefail
cd "$(dirname "$0")/.."

site="${1:-site}"
out=".build/screenshots"
browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"

if [ -z "$browser" ]; then
  echo "browser check: chromium not found; run 'make deps' (Debian package chromium)" >&2
  exit 2
fi
if [ ! -f "$site/index.html" ]; then
  echo "browser check: $site/index.html missing; run 'learn-mp export --out $site' first" >&2
  exit 2
fi

mkdir -p "$out"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run
       --disable-extensions --disable-background-networking --user-data-dir="$profile")

failures=0
shots=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }

# screenshot FILE URL WIDTH HEIGHT [more chromium flags]
screenshot() {
  local shot="$1" url="$2" width="$3" height="$4"
  shift 4
  rm -f "$shot"
  timeout 60 "$browser" "${flags[@]}" "$@" --window-size="$width,$height" --screenshot="$shot" "$url" >/dev/null 2>&1
  if [ -s "$shot" ]; then shots=$((shots + 1)); else fail "$url: no screenshot $shot"; fi
}

# attribute NAME DOM: the value of data-NAME on <html>
attribute() {
  printf '%s' "$2" | grep -o "data-$1=\"[^\"]*\"" | head -1 | sed "s/^data-$1=\"//; s/\"\$//"
}

python3 .ci/site-links.py "$site" || failures=$((failures + 1))

pages=("$site/index.html")
while IFS= read -r page; do pages+=("$page"); done < <(find "$site/lessons" -name '*.html' 2>/dev/null | sort)

# A page as a 390 px phone shows it: in a frame that wide (headless Chromium will not make its
# window narrower than 500 px). The page's self tests tell the framing page their outcome,
# which sets it on its own <html> for --dump-dom.
phone() {
  local frame
  frame="$profile/phone-$(basename "$1" .html)-$RANDOM.html"
  {
    echo '<!DOCTYPE html>'
    echo '<html><head><meta charset="utf-8"></head><body style="margin:0">'
    echo "<iframe src=\"file://$(realpath "$1")$2\" style=\"display:block;border:0;width:390px;height:${3:-900}px\"></iframe>"
    echo '<script>window.addEventListener("message", function (e) {'
    echo '  if (e.data && e.data.name) document.documentElement.setAttribute("data-" + e.data.name, e.data.value);'
    echo '});</script>'
    echo '</body></html>'
  } > "$frame"
  echo "file://$frame"
}

tabbed=0
first_with_samples=""
for page in "${pages[@]}"; do
  url="file://$(realpath "$page")"
  name="$(basename "$page" .html)"
  before=$failures
  screenshot "$out/$name-390.png" "$(phone "$page" "")" 390 900 --virtual-time-budget=3000
  screenshot "$out/$name-1280.png" "$url" 1280 900
  log="$profile/console.log"
  dom="$(timeout 60 "$browser" "${flags[@]}" --window-size=500,900 --enable-logging=stderr --v=0 \
    --virtual-time-budget=5000 --dump-dom "$(phone "$page" "?selftest")" 2>"$log")"
  console="$(grep -a 'CONSOLE' "$log" | sed 's/^.*CONSOLE[^]]*\] //' | head -5)"
  [ -n "$console" ] && fail "$page: browser console: $console"
  tabs="$(attribute tabs-selftest "$dom")"
  search="$(attribute search-selftest "$dom")"
  layout="$(attribute layout-selftest "$dom")"
  samples="$(grep -o 'role="tablist"' "$page" | wc -l)"
  case "$tabs" in
    pass*) [ "$samples" -gt 0 ] && tabbed=$((tabbed + 1)) ;;
    "") fail "$page: tabs.js did not run (no data-tabs-selftest)" ;;
    *) fail "$page: tabs: $tabs" ;;
  esac
  case "$search" in
    pass*) ;;
    "") fail "$page: search.js did not finish its self test (no data-search-selftest)" ;;
    *) fail "$page: search: $search" ;;
  esac
  case "$layout" in
    "pass 390 px") ;;
    "") fail "$page: no layout measurement (data-layout-selftest)" ;;
    *) fail "$page: layout at 390 px: $layout" ;;
  esac
  # Tables on a wide screen: no column squeezed to a few characters a line.
  if grep -q '<table' "$page"; then
    wide="$(timeout 60 "$browser" "${flags[@]}" --window-size=1280,900 --virtual-time-budget=3000 --dump-dom "$url?selftest" 2>/dev/null)"
    columns="$(attribute columns-selftest "$wide")"
    case "$columns" in
      pass*) layout="$layout; columns $columns" ;;
      *) fail "$page: table columns at 1280 px: ${columns:-not measured}" ;;
    esac
  fi
  [ "$failures" -eq "$before" ] && echo "ok   $page: tabs $tabs; search $search; layout $layout"
  if [ -z "$first_with_samples" ] && [ "$samples" -gt 0 ]; then first_with_samples="$page"; fi
done

# Dark mode (the reader's system setting), and a page with samples without JavaScript, where
# every sample shows its three languages stacked.
dark=(--blink-settings=preferredColorScheme=0)
screenshot "$out/index-dark-1280.png" "file://$(realpath "$site/index.html")" 1280 900 "${dark[@]}"
screenshot "$out/index-dark-390.png" "$(phone "$site/index.html" "")" 390 900 "${dark[@]}"
if [ -n "$first_with_samples" ]; then
  name="$(basename "$first_with_samples" .html)"
  url="file://$(realpath "$first_with_samples")"
  screenshot "$out/$name-dark-1280.png" "$url" 1280 1600 "${dark[@]}"
  screenshot "$out/$name-dark-390.png" "$(phone "$first_with_samples" "" 1600)" 390 1600 "${dark[@]}"
  # (Chromium's scriptEnabled=false stops headless screenshots too: use a copy without the scripts.)
  nojs="$profile/site-nojs"
  mkdir -p "$nojs" && cp -r "$site/." "$nojs/" && rm -f "$nojs/tabs.js" "$nojs/search.js"
  screenshot "$out/$name-nojs-390.png" "$(phone "$nojs/lessons/$name.html" "" 2400)" 390 2400
else
  fail "$site: no page with samples"
fi

# The pool lesson's first timeline figure, alone on a page with the site's stylesheet: the
# Python, Node.js and Swift runs on one scale (present when `verify --python --node` ran).
pool_page="$(find "$site/lessons" -name '*-pool.html' 2>/dev/null | sort | head -1)"
if [ -n "$pool_page" ] && grep -q 'timeline-compare' "$pool_page"; then
  figure_page="$profile/timeline-compare.html"
  {
    printf '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="file://%s/style.css"></head><body><main style="max-width:940px;margin:16px">' "$(realpath "$site")"
    sed -n '/<figure class="timeline result timeline-compare">/,/<\/figure>/p' "$pool_page" | sed '/<\/figure>/q'
    printf '</main></body></html>'
  } > "$figure_page"
  shot="$out/$(basename "$pool_page" .html)-timelines-980.png"
  timeout 60 "$browser" "${flags[@]}" --window-size=980,1000 --screenshot="$shot" "file://$(realpath "$figure_page")" >/dev/null 2>&1
  if [ -s "$shot" ]; then shots=$((shots + 1)); else echo "FAIL $pool_page: no screenshot of the timelines"; failures=$((failures + 1)); fi
fi

echo "browser check: ${#pages[@]} pages, $shots screenshots in $out, tab switching verified on $tabbed pages with samples, $failures problems"
[ "$failures" -eq 0 ]
