#!/usr/bin/env bash
# The jamo Hangul model of "Hangul for every hand" (all 11,172 syllables): data, then training.
# Run from the repo root after ./setup.sh:   bash models/train_hangul_jamo.sh [jamo|softmax]
# Every step is resumable: re-running the script continues the synthesis and the training where they
# stopped (a killed run included). BUDGET_MIN sets the training minutes of this sitting (default 170).
# "softmax" trains the 2350-class comparison model on the same data with the same budget.
# Data goes to $HANDPAD_WORK (default data/hangul-jamo, ignored by git), runs to runs/hangul-<head>.
# Before the big run: at small scale the jamo head alone read 75.1% against the softmax head's 87.3%
# (bench/jamo_vs_softmax.py); a head with the jamo softmaxes beside a syllable softmax comes first.
set -euo pipefail
export PATH="$PWD/.venv/bin:$PATH"
HEAD=${1:-jamo}
W=${HANDPAD_WORK:-data/hangul-jamo}
HELD="NanumPenScript-Regular NanumBrushScript-Regular UnPen-Regular UnShinmun-Regular BMDoHyeon-Regular Bandal-Regular"
VAL="UnPilgia-Regular Sunflower-Medium GowunDodum-Regular"   # validation designs: model selection + calibration

handpad synth fetch-fonts     # the pinned npm fonts (OFL-1.1), cached; the reserved families are refused
# Training faces: every design except the held-out (test) and validation ones; the 2350 syllables, 3 kinds.
handpad synth hangul --out $W/train --exclude $HELD $VAL --per-font 2 --mix designed=1,pen=1,hand=1 --seed 0 --quiet
# 1500 of the 8,822 rarer syllables, from the training faces that cover all 11,172.
handpad synth hangul --out $W/train-rare --exclude $HELD $VAL --label-space hangul-11172 --leave-out hangul-ksx1001 \
    --num-syllables 1500 --per-font 1 --mix pen=1,hand=1 --seed 2 --quiet
# Validation: the validation designs, pen-drawn and by hand (epoch selection and the temperature).
handpad synth hangul --out $W/val --only $VAL --per-font 2 --mix pen=1,hand=1 --seed 3 --quiet

EXTRA=(--extra-train $W/train-rare)
[ "$HEAD" = softmax ] && EXTRA=()   # a 2350-class model cannot learn the rarer syllables
RESUME=()
[ -d runs/hangul-$HEAD/backup ] && RESUME=(--resume)
handpad train $W/train "${EXTRA[@]}" --val-store $W/val --test-fraction 0 \
    --arch inception --arch-option width=0.75 --arch-option head=$HEAD --steps-per-epoch 500 --batch-size 128 \
    --patience 60 --schedule cosine --epochs 60 --precision mixed_bfloat16 --time-budget "${BUDGET_MIN:-170}" \
    --out runs/hangul-$HEAD "${RESUME[@]}"
