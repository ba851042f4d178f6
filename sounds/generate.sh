#!/usr/bin/env bash
# Generate cc112's voice prompts from sounds/prompts.toml with espeak-ng and sox.
#
#   bash sounds/generate.sh            # (re)write sounds/<lang>/<prompt>.wav
#   bash sounds/generate.sh --out DIR  # write DIR/<lang>/<prompt>.wav instead
#
# Output: WAV, 8000 Hz, mono, 16-bit signed PCM (what Asterisk's format_wav plays),
# leading/trailing silence trimmed, normalised to -3 dBFS, no dither (so the output
# is reproducible). Needs: espeak-ng, sox, python3 >= 3.11 (tomllib).
#   Debian/Ubuntu: apt-get install -y espeak-ng sox
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here"
if [[ "${1:-}" == "--out" ]]; then
    out="${2:?--out needs a directory}"
elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--out DIR]" >&2
    exit 2
fi

for tool in espeak-ng sox python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "generate.sh: $tool is not installed (apt-get install -y espeak-ng sox)" >&2
        exit 1
    fi
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# One line per prompt and language: lang<TAB>voice<TAB>name<TAB>text
python3 - "$here/prompts.toml" >"$tmp/list" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    data = tomllib.load(f)
voices = data["voices"]
for name, texts in data["prompts"].items():
    for lang, text in texts.items():
        if lang not in voices:
            sys.exit(f"prompts.{name}.{lang}: no voice for language {lang!r} in [voices]")
        print(f"{lang}\t{voices[lang]}\t{name}\t{' '.join(text.split())}")
PY

count=0
while IFS=$'\t' read -r lang voice name text; do
    mkdir -p "$out/$lang"
    espeak-ng -v "$voice" -s 150 -w "$tmp/raw.wav" "$text"
    sox -D "$tmp/raw.wav" -r 8000 -c 1 -b 16 -e signed-integer "$out/$lang/$name.wav" \
        silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse \
        norm -3 pad 0.1 0.3
    count=$((count + 1))
done <"$tmp/list"
echo "generated $count prompts in $out"
