#!/usr/bin/env bash
# Re-vendors the NHS.UK frontend and htmx builds into openproms/core/static/vendor.
# Reproducible: the versions are pinned here; run from the repository root with npm on PATH.
set -euo pipefail
NHSUK_VERSION=10.6.1
HTMX_VERSION=2.0.4
VEGA_VERSION=6.2.0
VEGA_LITE_VERSION=6.4.1
VEGA_EMBED_VERSION=7.0.2
dest=openproms/core/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "nhsuk-frontend@$NHSUK_VERSION" "htmx.org@$HTMX_VERSION" \
  "vega@$VEGA_VERSION" "vega-lite@$VEGA_LITE_VERSION" "vega-embed@$VEGA_EMBED_VERSION" >/dev/null)
mkdir -p "$tmp/nhsuk" "$tmp/htmx"
tar xzf "$tmp/nhsuk-frontend-$NHSUK_VERSION.tgz" -C "$tmp/nhsuk"
tar xzf "$tmp/htmx.org-$HTMX_VERSION.tgz" -C "$tmp/htmx"
rm -rf "$dest/nhsuk-frontend" "$dest/htmx"
mkdir -p "$dest/nhsuk-frontend/assets" "$dest/htmx"
src="$tmp/nhsuk/package/dist/nhsuk"
cp "$src"/nhsuk-frontend.min.css* "$src"/nhsuk-frontend.min.js* "$dest/nhsuk-frontend/"
cp -r "$src/assets/images" "$dest/nhsuk-frontend/assets/"
# Frutiger is licensed for NHS services only, and loading it from assets.nhs.uk
# would tell a third party who visits: drop the @font-face rules so pages use Arial.
python3 - "$dest/nhsuk-frontend/nhsuk-frontend.min.css" <<'PY'
import re, sys
path = sys.argv[1]
css = open(path, encoding="utf-8").read()
css = re.sub(r"@font-face\{[^}]*\}", "", css)
# The build points its icons at /assets/images/, which is not where this site serves
# them: make them relative to the stylesheet, beside which they are vendored.
css = css.replace("url(/assets/images/", "url(assets/images/")
open(path, "w", encoding="utf-8").write(css)
PY
cp "$src/assets/manifest.json" "$dest/nhsuk-frontend/assets/"
cp "$tmp/htmx/package/dist/htmx.min.js" "$dest/htmx/"
cp "$tmp/htmx/package/LICENSE" "$dest/htmx/LICENSE"
# Charts: Vega-Lite in the browser (PDFs render the same specifications with vl-convert).
rm -rf "$dest/vega"
mkdir -p "$dest/vega"
for name in vega vega-lite vega-embed; do
  mkdir -p "$tmp/$name"
  tar xzf "$tmp/$name"-[0-9]*.tgz -C "$tmp/$name"
  # Drop the source-map comment: the maps are not vendored.
  sed '/sourceMappingURL=/d' "$tmp/$name/package/build/$name.min.js" > "$dest/vega/$name.min.js"
  cp "$tmp/$name/package/LICENSE" "$dest/vega/LICENSE-$name"
done
printf 'vega %s\nvega-lite %s\nvega-embed %s\n' "$VEGA_VERSION" "$VEGA_LITE_VERSION" "$VEGA_EMBED_VERSION" > "$dest/vega/VERSION"
echo "$NHSUK_VERSION" > "$dest/nhsuk-frontend/VERSION"
echo "$HTMX_VERSION" > "$dest/htmx/VERSION"
cat > "$dest/nhsuk-frontend/LICENSE" <<'LIC'
NHS.UK frontend (https://github.com/nhsuk/nhsuk-frontend), package nhsuk-frontend on npm.

The MIT License (MIT)

Copyright (c) NHS England

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT
OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LIC
echo "vendored nhsuk-frontend $NHSUK_VERSION and htmx $HTMX_VERSION into $dest"
