#!/usr/bin/env bash
# Does a finer input (80 px instead of 60) read the tick-sized differences better?
#
#   bash bench/input_size.sh [SIZE ...]          # default: 60 80; ~15 min per size for 60 px on 2 AVX512 cores
#
# The syllables whose jamo differ by a short tick or bar (initial ㅁ ㅇ ㅈ ㅊ ㅎ, vowel ㅏ ㅑ ㅓ ㅕ ㅔ ㅖ ㅐ ㅒ ㅣ,
# final none ㄴ ㅇ ㅁ ㅈ ㅊ: 158 of the 2350), synthesized from the training faces of models/train_hangul_jamo.sh at
# each size with the same seed (the same draws, finer pixels), 4 per face (designed, pen, hand x 2); the same
# network (inception, width 0.75) trained from scratch for 10 cosine epochs at each size, seed 1; read on the
# validation designs written pen-drawn and carelessly (6 per face and syllable). Stores and runs go to $OUT
# (default runs/input-size); a size already trained is measured again, not retrained.
set -euo pipefail
export PATH="$PWD/.venv/bin:$PATH"
OUT=${OUT:-runs/input-size}
SIZES=${*:-60 80}
HELD="NanumPenScript-Regular NanumBrushScript-Regular UnPen-Regular UnShinmun-Regular BMDoHyeon-Regular Bandal-Regular"
VAL="UnPilgia-Regular Sunflower-Medium GowunDodum-Regular"
TICKS=$(python - <<'EOF'
from handpad.labels import jamo_of, label_space
keep = lambda i, v, f: i in "ㅁㅇㅈㅊㅎ" and v in "ㅏㅑㅓㅕㅔㅖㅣㅐㅒ" and f in ("", "ㄴ", "ㅇ", "ㅁ", "ㅈ", "ㅊ")
print("".join(c for c in label_space("hangul-ksx1001").labels if keep(*jamo_of(c))))
EOF
)
python bench/machine.py 2>/dev/null || true
echo "${#TICKS} syllables: $TICKS"
mkdir -p "$OUT"
for z in $SIZES; do
  handpad synth hangul --out "$OUT/train$z" --exclude $HELD $VAL --syllables "$TICKS" --per-font 4 \
      --mix designed=1,pen=1,hand=2 --seed 500 --size "$z" --workers 2 --quiet
  handpad synth hangul --out "$OUT/val$z" --only $VAL --syllables "$TICKS" --per-font 6 --mix pen=1,hand=1 \
      --hand-style careless --seed 503 --size "$z" --workers 2 --quiet
  [ -f "$OUT/run$z/model.keras" ] || handpad train "$OUT/train$z" --val-store "$OUT/val$z" --test-fraction 0 \
      --arch inception --arch-option width=0.75 --epochs 10 --schedule cosine --patience 30 \
      --precision mixed_bfloat16 --seed 1 --out "$OUT/run$z"
done
for z in $SIZES; do
  echo "== $z px: $(python -c "import json,sys; t=json.load(open(sys.argv[1])); print(f\"{t['seconds'] / t['epochs']:.0f} s per training epoch\")" "$OUT/run$z/timing.json" 2>/dev/null || echo "timing not recorded")"
  handpad evaluate "$OUT/val$z" --model "$OUT/run$z/model.keras" 2>/dev/null | grep -v -i "warn" | head -12
done
