#!/usr/bin/env bash
# Browser check of the exported site, in headless Chromium (Debian package `chromium`,
# installed by `make deps`; this script installs nothing).
#
#   .ci/browser-check.sh [SITE_DIR]        (default: site, after `learn-mp export --out site`)
#
# For every page: screenshots at phone (390 px) and desktop (1280 px) width under
# .build/screenshots/, and a run of the page with `?selftest`, where tabs.js clicks every tab
# and presses the arrow keys in every sample, then records the outcome on <html>; the DOM is
# dumped and the outcome read back. Exits non-zero when a page fails to load or its tabs do
# not switch.
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

pages=("$site/index.html")
while IFS= read -r page; do pages+=("$page"); done < <(find "$site/lessons" -name '*.html' 2>/dev/null | sort)

failures=0
shots=0
tabbed=0
for page in "${pages[@]}"; do
  url="file://$(realpath "$page")"
  name="$(basename "$page" .html)"
  for width in 390 1280; do
    shot="$out/$name-$width.png"
    rm -f "$shot"
    timeout 60 "$browser" "${flags[@]}" --window-size="$width,900" --screenshot="$shot" "$url" >/dev/null 2>&1
    if [ -s "$shot" ]; then
      shots=$((shots + 1))
    else
      echo "FAIL $page: no screenshot at $width px"
      failures=$((failures + 1))
    fi
  done
  dom="$(timeout 60 "$browser" "${flags[@]}" --virtual-time-budget=3000 --dump-dom "$url?selftest" 2>/dev/null)"
  result="$(printf '%s' "$dom" | grep -o 'data-tabs-selftest="[^"]*"' | head -1 | sed 's/^data-tabs-selftest="//; s/"$//')"
  samples="$(printf '%s' "$dom" | grep -o 'role="tablist"' | wc -l)"
  case "$result" in
    pass*)
      echo "ok   $page: tabs $result"
      [ "$samples" -gt 0 ] && tabbed=$((tabbed + 1))
      ;;
    "")
      echo "FAIL $page: tabs.js did not run (no data-tabs-selftest on <html>)"
      failures=$((failures + 1))
      ;;
    *)
      echo "FAIL $page: $result"
      failures=$((failures + 1))
      ;;
  esac
done

# Without JavaScript every sample shows all three languages stacked: screenshot the first
# lesson from a copy of the site that lacks tabs.js.
first_lesson="$(find "$site/lessons" -name '*.html' 2>/dev/null | sort | head -1)"
if [ -n "$first_lesson" ]; then
  nojs="$profile/site-nojs"
  mkdir -p "$nojs" && cp -r "$site/." "$nojs/" && rm -f "$nojs/tabs.js"
  name="$(basename "$first_lesson" .html)"
  shot="$out/$name-nojs-390.png"
  timeout 60 "$browser" "${flags[@]}" --window-size=390,1600 --screenshot="$shot" \
    "file://$(realpath "$nojs")/lessons/$name.html" >/dev/null 2>&1
  if [ -s "$shot" ]; then shots=$((shots + 1)); else echo "FAIL $first_lesson: no screenshot without JavaScript"; failures=$((failures + 1)); fi
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
