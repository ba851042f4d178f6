"""sounds/: the committed prompts, and sounds/generate.sh that makes them."""

from __future__ import annotations

import array
import math
import shutil
import subprocess
import tomllib
import wave
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOUNDS = REPO / "sounds"
PROMPTS = tomllib.loads((SOUNDS / "prompts.toml").read_text(encoding="utf-8"))
LANGUAGES = ("id", "en")
MAX_TOTAL_BYTES = 2_000_000


def read_wav(path: Path) -> tuple:
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        samples = array.array("h", wav.readframes(params.nframes))
    return params, samples


def rms(samples: array.array) -> float:
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


def test_the_prompts_the_call_flow_needs_are_all_written_in_both_languages():
    needed = {"greeting", "please-hold", "still-holding", "callback-intro", "silent-call",
              "logged-in", "logged-out", "paused", "unpaused"}
    assert needed <= set(PROMPTS["prompts"])
    for name, texts in PROMPTS["prompts"].items():
        assert set(texts) == set(LANGUAGES), name
    assert "Semarang" in PROMPTS["prompts"]["greeting"]["id"]
    assert "tekan 5 5" in PROMPTS["prompts"]["silent-call"]["id"]
    assert PROMPTS["prompts"]["callback-intro"]["id"].startswith("Ini Call Center 1 1 2 Kota Semarang")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_prompt_is_an_8khz_mono_16bit_wav_with_speech_in_it(lang):
    for name in PROMPTS["prompts"]:
        params, samples = read_wav(SOUNDS / lang / f"{name}.wav")
        assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 8000), name
        seconds = params.nframes / params.framerate
        assert 0.8 < seconds < 20, f"{lang}/{name}: {seconds:.1f} s"
        assert rms(samples) > 500, f"{lang}/{name} is (nearly) silent"


def test_no_sound_file_is_left_over_from_a_renamed_prompt():
    for lang in LANGUAGES:
        names = {p.stem for p in (SOUNDS / lang).iterdir()}
        assert names == set(PROMPTS["prompts"]), lang


def test_the_committed_prompts_stay_small():
    total = sum(p.stat().st_size for lang in LANGUAGES for p in (SOUNDS / lang).glob("*.wav"))
    assert total < MAX_TOTAL_BYTES


@pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("sox")),
    reason="espeak-ng and sox are not installed (apt-get install -y espeak-ng sox): "
    "cannot regenerate the prompts",
)
def test_generate_sh_regenerates_every_prompt_like_the_committed_ones(tmp_path):
    result = subprocess.run(["bash", str(SOUNDS / "generate.sh"), "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    for lang in LANGUAGES:
        for name in PROMPTS["prompts"]:
            new_params, new_samples = read_wav(tmp_path / lang / f"{name}.wav")
            old_params, _ = read_wav(SOUNDS / lang / f"{name}.wav")
            assert new_params[:3] == old_params[:3] == (1, 2, 8000)
            # Another espeak-ng release may speak a little faster or slower, but not another text.
            assert abs(new_params.nframes - old_params.nframes) <= 0.15 * old_params.nframes, f"{lang}/{name}"
            assert rms(new_samples) > 500


def test_generate_sh_refuses_unknown_arguments():
    result = subprocess.run(["bash", str(SOUNDS / "generate.sh"), "--bogus"], capture_output=True, text=True,
                            timeout=30, check=False)
    assert result.returncode == 2 and "usage" in result.stderr
