#!/usr/bin/env bash
# The accelerator side of models/accelerator_finetune.py, as one command: on a GPU machine with Keras'
# JAX or PyTorch backend but no TensorFlow, two variants train side by side on the one GPU from a packed
# folder -- "a" as packed, "b" with the elastic warp added to the augmentation (and another seed) -- each
# for MINUTES, each keeping its best validation epoch in OUT/<variant>/weights.npz (+ history.csv,
# result.json, and its log OUT/<variant>.log). A variant whose JAX run fails is run again with PyTorch.
#
#   bash models/accelerator_run.sh PACK OUT [MINUTES [train options...]]   # from the repository root, there
#
# Wheels of packages the machine lacks (keras, namex, optree) are installed from $WHEELS (default .whl/)
# if it exists. PYTHON picks the interpreter (default python3), BACKENDS the Keras backends to try in
# turn (default "jax torch"). Afterwards, here: models/accelerator_finetune.py import.
set -uo pipefail
PACK=${1:?packed folder}
OUT=${2:?output folder}
MINUTES=${3:-6.3}
shift $(( $# < 3 ? $# : 3 ))   # the rest: options for both variants (accelerator_finetune.py train --help)
COMMON=("$@")
PY=${PYTHON:-python3}
HERE=$(dirname "$0")
mkdir -p "$OUT"
WHEELS=${WHEELS:-.whl}
if [ -d "$WHEELS" ]; then
  $PY -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site "$WHEELS"/*.whl || exit 3
  export PYTHONPATH=/tmp/site
fi
export PYTHONUNBUFFERED=1 XLA_PYTHON_CLIENT_MEM_FRACTION=0.4   # two JAX processes share the GPU's memory
variant() {
  local name=$1; shift
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total --format=csv
  for backend in ${BACKENDS:-jax torch}; do
    KERAS_BACKEND=$backend $PY "$HERE/accelerator_finetune.py" train "$PACK" --out "$OUT/$name" --minutes "$MINUTES" "${COMMON[@]}" "$@" && return 0
    echo "variant $name: the $backend run failed" >&2
  done
  return 1
}
variant a > "$OUT/a.log" 2>&1 &
A=$!
variant b --elastic --seed 1 > "$OUT/b.log" 2>&1 &
B=$!
wait $A; FAILED_A=$?
wait $B; FAILED_B=$?
rm -f "$OUT"/*/*.tmp.npz   # a copy being written when a run was stopped
tail -n 3 "$OUT/a.log" "$OUT/b.log"
exit $(( FAILED_A || FAILED_B ))
