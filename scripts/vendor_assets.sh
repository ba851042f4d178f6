#!/usr/bin/env bash
# Copy the console's third-party assets, pinned npm packages, into the package's static folder.
# The result is committed: the console needs no build step and no CDN at run time (the centre may
# be offline). Run again only to change a version: bash scripts/vendor_assets.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LEAFLET_VERSION=1.9.4
DEST=cc112_pbx/http/static/vendor/leaflet
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent "leaflet@${LEAFLET_VERSION}" >/dev/null && tar -xzf "leaflet-${LEAFLET_VERSION}.tgz")
rm -rf "$DEST"
mkdir -p "$DEST/images"
cp "$TMP/package/dist/leaflet.js" "$TMP/package/dist/leaflet.css" "$DEST/"
cp "$TMP/package/dist/images/"*.png "$DEST/images/"
cp "$TMP/package/LICENSE" "$DEST/LICENSE"
printf 'leaflet %s (npm), copied by scripts/vendor_assets.sh; licence: BSD-2-Clause (LICENSE)\n' \
    "$LEAFLET_VERSION" > "$DEST/VERSION"
(cd "$DEST" && sha256sum leaflet.js leaflet.css > SHA256SUMS)
echo "vendored leaflet ${LEAFLET_VERSION} into ${DEST}"
