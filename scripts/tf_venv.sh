#!/usr/bin/env bash
# Makes the TensorFlow 2.15 venv the TF interop checks use (one per CI run) and prints its python.
# Usage: scripts/tf_venv.sh [DIR]   (default: target/venv-tf)
set -euo pipefail
dir="${1:-target/venv-tf}"
py="$(command -v python3.11 || command -v python3)"
if [ ! -x "$dir/bin/python" ] || ! "$dir/bin/python" -c "import tensorflow, tensorflow_serving" 2>/dev/null; then
  "$py" -m venv "$dir" >&2
  "$dir/bin/pip" install -q tensorflow-cpu==2.15.1 tensorflow-estimator==2.15.0 'numpy<2' >&2
  # With its dependencies it pulls a second, newer tensorflow and breaks the venv.
  "$dir/bin/pip" install -q --no-deps tensorflow-serving-api==2.15.1 >&2
fi
echo "$(cd "$dir" && pwd)/bin/python"
