#!/usr/bin/env bash
# The Hangul model of all 11,172 syllables ("Hangul for every hand"): data, then training.
# Run from the repo root after ./setup.sh:   bash models/train_hangul_jamo.sh [hybrid|softmax|jamo|more]
# Every step is resumable: re-running the script continues the synthesis and the training where they
# stopped (a killed run included). BUDGET_MIN sets the training minutes of this sitting (default 78),
# EPOCHS the planned epochs of STEPS batches of 128 (the cosine schedule ends there).
#   hybrid   (default, shipped) a softmax over the 2350 beside the 19/21/28 jamo softmaxes, started from
#            the previous release's 2350-class model (its features and syllable softmax; see START below)
#   softmax  the 2350-class comparison: same start, data (less the rarer syllables it cannot learn), budget
#   jamo     the jamo softmaxes alone (measured worse at small scale: bench/jamo_vs_softmax.py)
#   more     (shipped 2026-12-04) a second cosine from runs/hangul-hybrid's calibrated model over the same data,
#            9 epochs of 300 x 128 from 3e-4 (~66 min here), its graph made int8, then the same calibration
#   hands    (shipped 2026-12-04, second release) the 11 handwriting-style training designs written carelessly
#            (train-handwriting, ~43 min), 10 epochs from runs/hangul-more at 2e-4 (~75 min), then the mean of
#            its weights and runs/hangul-more's (a "model soup"), calibrated
#   warp     (shipped 2026-12-04, third release) the second release trained on fresh draws of the three big training
#            stores (DRAW_SEED, default 30: the earlier runs saw the seed-10/11/20 draws many times) with the in-model
#            smooth warp (SmoothWarp, elastic=2 px), cosine from 2e-4, calibrated; then the soup (models/HISTORY.md).
#            As shipped: PRECISION=mixed_bfloat16 EPOCHS=50 BUDGET_MIN=70 (46 min on a 2-core AVX512-BF16 CPU).
#            Later rounds: EARLIER_DRAWS="30 50 ..." trains on those sittings' draws too, DESIGNED=1 adds a store of
#            designed (printed) samples by every training face, WARP=N the warp in pixels (default 2; 0: off),
#            MORE_TRAIN="STORE ..." more training stores, LR the cosine's start (default 2e-4), SQUEEZE=S the
#            in-model squeeze (each axis shrinks by up to S: narrower and wider writing; default off), DEPTH=N
#            N residual Inception modules more at 7x7 (they start as the identity: PREV's answers; default 0);
#            models/HISTORY.md, "Two more rounds of fresh draws"
#   refit    (shipped 2026-12-04, fourth release) the third release's jamo heads fitted again on 7,000 more of the
#            rarer syllables beside some of the 2350 (handpad refit: frozen features, ~5 min), then calibrated;
#            EPOCHS (default 3) and LR (3e-4) as chosen on the validation designs (models/HISTORY.md)
#            Fifth release (2026-12-04): warp round 4's network (models/HISTORY.md: "Two more rounds of fresh draws"), its
#            jamo heads refit the same way, read at five slants (test-time views, handpad calibrate --views):
#              VIEWS=0,0.15,-0.15,0.25,-0.25 PREV=runs/hangul-warp4/model.keras bash models/train_hangul_jamo.sh refit
#            Sixth release (2026-12-05): the soup of warp rounds 4, 7 and 8 (round 8: round 7's recipe with CURSIVE=1;
#            commands in models/HISTORY.md), its jamo heads refit the same way, the same five views:
#              SOUP="runs/hangul-warp4/model.keras runs/hangul-warp7/model.keras runs/hangul-warp8/model.keras" \
#                VIEWS=0,0.15,-0.15,0.25,-0.25 bash models/train_hangul_jamo.sh refit
#            Eighth release (2026-12-05): the seventh continued at 80 px (SIZE=80, below), its jamo heads refit at
#            80 px, read at three views (commands in the model card, "eighth release"):
#              git show aeb0a63^:models/hangul.keras > runs/hangul-seventh-release.keras
#              SIZE=80 DRAW_SEED=130 EARLIER_DRAWS="150" PREV=runs/hangul-seventh-release.keras RUN=runs/hangul-fine80 \
#                PRECISION=mixed_bfloat16 EPOCHS=45 BUDGET_MIN=58 LR=2e-4 bash models/train_hangul_jamo.sh warp
#   faces    (twenty-first sitting) the ninth release continued with Cafe24's ten faces from npm (five hand-lettered)
#            beside fresh draws of the old training faces, 4 cosine epochs of 300 x 128 from 2e-4, calibrated as the
#            ninth (80 px stores; the block below; model card)
#   SIZE=80  (any mode) every store at 80 px instead of 60 (handpad synth hangul --size), in data/hangul-jamo-80, and
#            so a network of 80 px input; with warp and PREV=models/hangul.keras it starts from every weight of the
#            60 px network (its head pools to 3x3 at any size), the in-model warp scaled to 2.67 px (model card,
#            "A finer input")
# Data goes to $HANDPAD_WORK (default data/hangul-jamo, or data/hangul-jamo-SIZE; ignored by git), runs to runs/hangul-<head>.
# Measured on a 2-core AVX2 CPU (no AVX512-BF16, so float32): ~74 samples/s training (8 epochs: ~75 min), ~90 samples/s
# synthesis (the hand kind is the slow one): data ~40 min, then the budget. On a CPU with AVX512-BF16
# add --precision mixed_bfloat16 (1.2-1.4x); on a GPU, the same command runs as it is.
set -euo pipefail
export PATH="$PWD/.venv/bin:$PATH"
HEAD=${1:-hybrid}
SIZE=${SIZE:-60}   # the input's side in pixels: SIZE=80 makes every store (and so the network) finer; model card
W=${HANDPAD_WORK:-data/hangul-jamo$([ "$SIZE" = 60 ] || echo "-$SIZE")}
HELD="NanumPenScript-Regular NanumBrushScript-Regular UnPen-Regular UnShinmun-Regular BMDoHyeon-Regular Bandal-Regular"
VAL="UnPilgia-Regular Sunflower-Medium GowunDodum-Regular"   # validation designs: model selection + calibration

handpad synth fetch-fonts --quiet   # the pinned npm fonts (OFL-1.1), cached; the reserved families are refused
if [ "$HEAD" = faces ]; then  # (twenty-first sitting) the ninth release continued with Cafe24's ten faces (npm @noonnu)
  # Stores of the new faces (five hand-lettered, five designed) beside fresh draws of the old training faces, so
  # the network learns the new hands without forgetting the old; then calibrated as the ninth release was.
  # Measured here (2-core AVX2, float32): synthesis ~127 samples/s (~20 min), training ~40 samples/s at 80 px.
  F=${FACES_WORK:-data/hangul-new80}
  NEWH="Cafe24Dongdong-Regular Cafe24Oneprettynight-Regular Cafe24Shiningstar-Regular Cafe24Ssukssuk-Regular Cafe24Syongsyong-Regular"
  NEWD="Cafe24Dangdanghae-Regular Cafe24Danjunghae-Regular Cafe24Simplehae-Regular Cafe24Ssurround-Bold Cafe24Ssurroundair-Light"
  HANDS="BMKIRANGHAERANG-Regular BMYEONSUNG-Regular Dokdo-Regular Eunjin-Regular EunjinNakseo-Regular NanumBarunpen-Bold
         NanumBarunpen-Regular UnGungseo-Regular UnPenheulim-Regular UnPilgi-Bold UnPilgi-Regular"
  S="handpad synth hangul --size 80 --quiet"
  LEAVE="--label-space hangul-11172 --leave-out hangul-ksx1001 data/hangul-heldout-rare-80 data/hangul-val-rare-80"
  [ -f data/hangul-heldout-rare-80/manifest.json ] || $S --out data/hangul-heldout-rare-80 --only $HELD --label-space hangul-11172 \
      --leave-out hangul-ksx1001 --num-syllables 500 --per-font 1 --mix pen=1 --seed 1   # = bench/shipped_models.sh's
  # (the twentieth sitting's validation rarer syllables, left out of training here too; they share 75 with the test set)
  [ -f data/hangul-val-rare-80/manifest.json ] || $S --out data/hangul-val-rare-80 --only $VAL --label-space hangul-11172 \
      --leave-out hangul-ksx1001 --num-syllables 1500 --per-font 1 --mix pen=1,hand=1 --seed 3
  $S --out $F/new-hands --only $NEWH --per-font 2 --mix designed=1,pen=1,hand=2 --seed 210
  $S --out $F/new-hands-cursive --only $NEWH --per-font 1 --mix hand=1 --hand-style cursive --seed 211
  $S --out $F/new-hands-careless --only $NEWH --per-font 1 --mix hand=1 --hand-style careless --seed 212
  $S --out $F/new-designed --only $NEWD --per-font 1 --mix designed=1,pen=1,hand=2 --seed 213
  $S --out $F/new-rare --only $NEWH $NEWD $LEAVE --num-syllables 600 --per-font 1 --mix pen=1,hand=1 --seed 214
  $S --out $F/old-b220 --exclude $HELD $VAL $NEWH $NEWD --num-syllables 500 --per-font 1 --mix designed=1,pen=1,hand=2 --seed 220
  $S --out $F/old-hands-b221 --only $HANDS --num-syllables 1200 --per-font 1 --mix hand=1 --hand-style cursive --seed 221
  $S --out $F/old-rare-b222 --exclude $HELD $VAL $NEWH $NEWD $LEAVE --num-syllables 150 --per-font 1 --mix pen=1,hand=1 --seed 222
  $S --out $W/val --only $VAL --per-font 1 --mix pen=1,hand=1 --hand-style careless --seed 3          # as the ninth's
  $S --out $W/val-casual --only $VAL --per-font 1 --mix pen=1,hand=1 --hand-style casual --seed 24 --num-syllables 1200
  # Rarer syllables for the calibration: none of the test set's or of this round's training stores (careless, as the ninth's)
  $S --out $F/val-rare --only $VAL --label-space hangul-11172 --leave-out hangul-ksx1001 data/hangul-heldout-rare-80 \
      $F/new-rare $F/old-rare-b222 --num-syllables 600 --per-font 1 --mix pen=1,hand=1 --hand-style careless --seed 13
  RUN=${RUN:-runs/hangul-faces21}
  resume=(); [ -d $RUN/backup ] && resume=(--resume)
  handpad train $F/new-hands --extra-train $F/new-hands-cursive --extra-train $F/new-hands-careless --extra-train $F/new-designed \
      --extra-train $F/new-rare --extra-train $F/old-b220 --extra-train $F/old-hands-b221 --extra-train $F/old-rare-b222 \
      --val-store $W/val --test-fraction 0 --arch inception --arch-option width=0.75 --arch-option head=hybrid \
      --arch-option elastic=2.67 --init-from ${PREV:-models/hangul.keras} --lr ${LR:-2e-4} --steps-per-epoch 300 --batch-size 128 \
      --patience 100 --schedule cosine --epochs ${EPOCHS:-4} --time-budget "${BUDGET_MIN:-72}" --precision ${PRECISION:-float32} \
      --out $RUN "${resume[@]}"
  handpad calibrate $RUN/model.keras $W/val --rare $F/val-rare --views=0,0.15,-0.15 --jamo-mix \
      --casual $W/val-casual --out $RUN/candidate.keras --force
  exit 0
fi
# The rare-syllable test set first: training leaves its syllables out, so "outside the 2350" is measured on
# syllables the model never saw whole (bench/shipped_models.sh makes the same store).
[ -f data/hangul-heldout-rare/manifest.json ] || handpad synth hangul --out data/hangul-heldout-rare --only $HELD \
    --label-space hangul-11172 --leave-out hangul-ksx1001 --num-syllables 500 --per-font 1 --mix pen=1 --seed 1 --quiet
# Training faces: every design except the held-out (test) and validation ones; the 2350 syllables, 3 kinds.
[ "$HEAD" = warp ] || handpad synth hangul --size $SIZE --out $W/train --exclude $HELD $VAL --per-font 1 --mix designed=1,pen=1,hand=2 --seed 10 --quiet   # warp: fresh draws instead (below)
# 600 of the rarer syllables (none of the test set's), from the training faces that cover all 11,172.
handpad synth hangul --size $SIZE --out $W/train-rare --exclude $HELD $VAL --label-space hangul-11172 \
    --leave-out hangul-ksx1001 data/hangul-heldout-rare --num-syllables 600 --per-font 1 --mix pen=1,hand=1 --seed 12 --quiet
# Validation: the validation designs, pen-drawn and written carelessly (epoch choice and the temperature:
# calibration needs hands as casual as the users').
handpad synth hangul --size $SIZE --out $W/val --only $VAL --per-font 1 --mix pen=1,hand=1 --hand-style careless --seed 3 --quiet
# Rarer syllables by the validation designs that cover them, none seen in training or in the test set: to tune
# and calibrate the hybrid head on syllables it never saw whole.
handpad synth hangul --size $SIZE --out $W/val-rare --only $VAL --label-space hangul-11172 --leave-out hangul-ksx1001 \
    data/hangul-heldout-rare $W/train-rare --num-syllables 600 --per-font 1 --mix pen=1,hand=1 --hand-style careless --seed 13 --quiet
# The validation designs written by the casual hand (2026-12-05, sixteenth sitting): the single images' temperature
# is fitted over val, val-rare and these (handpad calibrate --casual; model card, "ninth release, recalibrated").
handpad synth hangul --size $SIZE --out $W/val-casual --only $VAL --per-font 1 --mix pen=1,hand=1 --hand-style casual \
    --seed 24 --num-syllables 1200 --quiet
# 300 syllables written carelessly by every training face.
[ "$HEAD" = warp ] || handpad synth hangul --size $SIZE --out $W/train-careless --exclude $HELD $VAL --num-syllables 300 --per-font 1 --mix hand=1 \
    --hand-style careless --seed 11 --quiet

# The starting point of every head: the previous release's 2350-class model (commit 243e83f), taken from the
# git history (models/hangul.keras is now the hybrid model itself: starting from it would be a longer budget).
START=${START:-runs/hangul-2350-release.keras}
[ -f "$START" ] || { mkdir -p runs && git show 243e83f:models/hangul.keras > "$START.part" && mv "$START.part" "$START"; }

EXTRA=(--extra-train $W/train-careless --extra-train $W/train-rare)
[ "$HEAD" = softmax ] && EXTRA=(--extra-train $W/train-careless)   # a 2350-class model cannot learn the rarer syllables
# continue_run NAME HEAD INIT LR EPOCHS MINUTES [more handpad train options]: one resumable cosine cycle -> runs/hangul-NAME
continue_run() {
  local name=$1 head=$2 init=$3 lr=$4 epochs=$5 minutes=$6; shift 6
  local resume=(); [ -d runs/hangul-$name/backup ] && resume=(--resume)
  handpad train $W/train "${EXTRA[@]}" "$@" --val-store $W/val --test-fraction 0 \
      --arch inception --arch-option width=0.75 --arch-option head=$head --init-from "$init" --lr $lr \
      --steps-per-epoch 300 --batch-size 128 --patience 100 --schedule cosine --epochs ${EPOCHS:-$epochs} \
      --time-budget "${BUDGET_MIN:-$minutes}" --out runs/hangul-$name "${resume[@]}"
}
if [ "$HEAD" = hands ]; then  # the shipped model: handwriting-style designs weighted more, then the soup
  HANDS="BMKIRANGHAERANG-Regular BMYEONSUNG-Regular Dokdo-Regular Eunjin-Regular EunjinNakseo-Regular NanumBarunpen-Bold
         NanumBarunpen-Regular UnGungseo-Regular UnPenheulim-Regular UnPilgi-Bold UnPilgi-Regular"
  handpad synth hangul --size $SIZE --out $W/train-handwriting --only $HANDS --per-font 1 --mix hand=1 --hand-style careless --seed 20 --quiet
  PREV=${PREV:-runs/hangul-more/model.keras}   # the first 2026-12-04 release (git show c234c82:models/hangul.keras)
  continue_run hands hybrid "$PREV" 2e-4 10 80 --extra-train $W/train-handwriting
  python -c "from handpad.model import average_weights; average_weights(['runs/hangul-hands/model.keras', '$PREV'], 'runs/hangul-hands/soup.keras')"
  handpad calibrate runs/hangul-hands/soup.keras $W/val --rare $W/val-rare --out runs/hangul-hands/soup.keras --force
  exit 0
fi
if [ "$HEAD" = warp ]; then  # fresh draws + the in-model smooth warp, from the shipped model
  HANDS="BMKIRANGHAERANG-Regular BMYEONSUNG-Regular Dokdo-Regular Eunjin-Regular EunjinNakseo-Regular NanumBarunpen-Bold
         NanumBarunpen-Regular UnGungseo-Regular UnPenheulim-Regular UnPilgi-Bold UnPilgi-Regular"
  DRAW=${DRAW_SEED:-30}   # the next sitting's fresh draws: DRAW_SEED=50 (and another runs/ folder via RUN)
  handpad synth hangul --size $SIZE --out $W/train-b$DRAW --exclude $HELD $VAL --per-font 1 --mix designed=1,pen=1,hand=2 --seed $DRAW --quiet
  handpad synth hangul --size $SIZE --out $W/train-careless-b$DRAW --exclude $HELD $VAL --num-syllables 300 --per-font 1 --mix hand=1 \
      --hand-style careless --seed $((DRAW + 1)) --quiet
  handpad synth hangul --size $SIZE --out $W/train-handwriting-b$DRAW --only $HANDS --per-font 1 --mix hand=1 --hand-style careless \
      --seed $((DRAW + 10)) --quiet
  # Start: the second 2026-12-04 release (commit 1a4a778), as this release was made; the next run: PREV=models/hangul.keras
  PREV=${PREV:-runs/hangul-2026-12-04-second-release.keras}
  [ -f "$PREV" ] || { mkdir -p runs && git show 1a4a778:models/hangul.keras > "$PREV.part" && mv "$PREV.part" "$PREV"; }
  RUN=${RUN:-runs/hangul-warp}
  # EARLIER_DRAWS="30 50": the earlier sittings' draws join this one's (more distinct samples per epoch; a
  # round on one draw alone lost PHD08 scans, see models/HISTORY.md), synthesized again where they are missing.
  earlier=()
  for seed in ${EARLIER_DRAWS:-}; do
    handpad synth hangul --size $SIZE --out $W/train-b$seed --exclude $HELD $VAL --per-font 1 --mix designed=1,pen=1,hand=2 --seed $seed --quiet
    handpad synth hangul --size $SIZE --out $W/train-careless-b$seed --exclude $HELD $VAL --num-syllables 300 --per-font 1 --mix hand=1 \
        --hand-style careless --seed $((seed + 1)) --quiet
    handpad synth hangul --size $SIZE --out $W/train-handwriting-b$seed --only $HANDS --per-font 1 --mix hand=1 --hand-style careless \
        --seed $((seed + 10)) --quiet
    earlier+=(--extra-train $W/train-b$seed --extra-train $W/train-careless-b$seed --extra-train $W/train-handwriting-b$seed)
  done
  # DESIGNED=1: one more sample of every syllable by every training face as designed (printed, PHD08's kind),
  # a third of the samples instead of a fifth: the careless draws cost real PHD08 scans (models/HISTORY.md)
  if [ "${DESIGNED:-0}" = 1 ]; then
    handpad synth hangul --size $SIZE --out $W/train-designed-b$DRAW --exclude $HELD $VAL --per-font 1 --mix designed=1 \
        --seed $((DRAW + 2)) --quiet
    earlier+=(--extra-train $W/train-designed-b$DRAW)
  fi
  # CURSIVE=1: every training face's 2350 written by the cursive hand (--hand-style cursive), one store more
  # (warp round 8, 2026-12-05; 206,798 samples, 13.5 min here)
  if [ "${CURSIVE:-0}" = 1 ]; then
    handpad synth hangul --size $SIZE --out $W/train-cursive-b$((DRAW + 10)) --exclude $HELD $VAL --per-font 1 --mix hand=1 \
        --hand-style cursive --seed $((DRAW + 10)) --quiet
    earlier+=(--extra-train $W/train-cursive-b$((DRAW + 10)))
  fi
  # CASUAL=1: the same with the casual hand (--hand-style casual: cursive, and every jamo formed its own way;
  # warp round 10, 2026-12-05), its own seed (DRAW + 30)
  if [ "${CASUAL:-0}" = 1 ]; then
    handpad synth hangul --size $SIZE --out $W/train-casual-b$((DRAW + 30)) --exclude $HELD $VAL --per-font 1 --mix hand=1 \
        --hand-style casual --seed $((DRAW + 30)) --quiet
    earlier+=(--extra-train $W/train-casual-b$((DRAW + 30)))
  fi
  # MIXED=1: the cursive hand again, every hand sample with jamo of another training design (--mix-designs 1;
  # warp round 11, 2026-12-05), its own seed (DRAW + 40)
  if [ "${MIXED:-0}" = 1 ]; then
    handpad synth hangul --size $SIZE --out $W/train-mixed-b$((DRAW + 40)) --exclude $HELD $VAL --per-font 1 --mix hand=1 \
        --hand-style cursive --mix-designs 1 --seed $((DRAW + 40)) --quiet
    earlier+=(--extra-train $W/train-mixed-b$((DRAW + 40)))
  fi
  for store in ${MORE_TRAIN:-}; do earlier+=(--extra-train $store); done   # MORE_TRAIN="STORE ...": any other stores
  resume=(); [ -d $RUN/backup ] && resume=(--resume)
  handpad train $W/train-b$DRAW --extra-train $W/train-careless-b$DRAW --extra-train $W/train-rare \
      --extra-train $W/train-handwriting-b$DRAW "${earlier[@]}" \
      --val-store $W/val --test-fraction 0 --arch inception --arch-option width=0.75 --arch-option head=hybrid \
      --arch-option elastic=${WARP:-$(python -c "print(round(2 * $SIZE / 60, 2))")} ${SQUEEZE:+--arch-option squeeze=$SQUEEZE} ${DEPTH:+--arch-option depth=$DEPTH} --init-from "$PREV" --lr ${LR:-2e-4} --steps-per-epoch 300 --batch-size 128 --patience 100 \
      --schedule cosine --epochs ${EPOCHS:-12} --time-budget "${BUDGET_MIN:-60}" --precision ${PRECISION:-float32} \
      --out $RUN "${resume[@]}"
  handpad calibrate $RUN/model.keras $W/val --rare $W/val-rare --out $RUN/candidate.keras --force
  exit 0
fi
if [ "$HEAD" = refit ]; then  # the jamo heads fitted again on 7,000 more of the rarer syllables (handpad refit)
  # The rarer syllables of the training faces, none of the test set's or the validation set's (nor train-rare's):
  # 2,000 (seed 110) and 5,000 more (seed 120), pen + hand: 413k samples, ~20 min here.
  handpad synth hangul --size $SIZE --out $W/train-rare-b110 --exclude $HELD $VAL --label-space hangul-11172 --leave-out hangul-ksx1001 \
      data/hangul-heldout-rare $W/val-rare $W/train-rare --num-syllables 2000 --per-font 1 --mix pen=1,hand=1 --seed 110 --quiet
  handpad synth hangul --size $SIZE --out $W/train-rare-b120 --exclude $HELD $VAL --label-space hangul-11172 --leave-out hangul-ksx1001 \
      data/hangul-heldout-rare $W/val-rare $W/train-rare $W/train-rare-b110 --num-syllables 5000 --per-font 1 \
      --mix pen=1,hand=1 --seed 120 --quiet
  # Some of the 2350 beside them (the draws of warp rounds 3 and 4: DRAW_SEED 70 and 90), so the common combinations stay in view.
  HANDS="BMKIRANGHAERANG-Regular BMYEONSUNG-Regular Dokdo-Regular Eunjin-Regular EunjinNakseo-Regular NanumBarunpen-Bold
         NanumBarunpen-Regular UnGungseo-Regular UnPenheulim-Regular UnPilgi-Bold UnPilgi-Regular"
  for seed in 70 90; do
    handpad synth hangul --size $SIZE --out $W/train-b$seed --exclude $HELD $VAL --per-font 1 --mix designed=1,pen=1,hand=2 --seed $seed --quiet
  done
  handpad synth hangul --size $SIZE --out $W/train-careless-b90 --exclude $HELD $VAL --num-syllables 300 --per-font 1 --mix hand=1 \
      --hand-style careless --seed 91 --quiet
  handpad synth hangul --size $SIZE --out $W/train-handwriting-b90 --only $HANDS --per-font 1 --mix hand=1 --hand-style careless --seed 100 --quiet
  # Start: the third 2026-12-04 release as recalibrated (commit d257fd4); SOUP="A.keras B.keras ...": the mean
  # of those networks' weights instead (handpad.model.average_weights; the sixth release: warp rounds 4, 7, 8)
  if [ -n "${SOUP:-}" ]; then
    mkdir -p runs/hangul-refit
    python -c "import sys; from handpad.model import average_weights; average_weights(sys.argv[1:], 'runs/hangul-refit/soup.keras')" $SOUP
    PREV=runs/hangul-refit/soup.keras
  fi
  PREV=${PREV:-runs/hangul-third-recal.keras}
  [ -f "$PREV" ] || { mkdir -p runs && git show d257fd4:models/hangul.keras > "$PREV.part" && mv "$PREV.part" "$PREV"; }
  mkdir -p runs/hangul-refit
  handpad refit "$PREV" $W/train-rare $W/train-rare-b110 $W/train-rare-b120 $W/train-b90:150000 $W/train-careless-b90 \
      $W/train-handwriting-b90 $W/train-b70:100000 --epochs ${EPOCHS:-3} --lr ${LR:-3e-4} --out runs/hangul-refit/model.keras
  handpad calibrate runs/hangul-refit/model.keras $W/val --rare $W/val-rare ${VIEWS:+--views=$VIEWS} \
      --out runs/hangul-refit/candidate.keras
  exit 0
fi
if [ "$HEAD" = more ]; then  # the first 2026-12-04 release: the hybrid run continued, its graph int8, calibrated again
  PREV=${PREV:-runs/hangul-hybrid/model.keras}   # the 2026-12-03 release (git show 2ec3703:models/hangul.keras)
  continue_run more hybrid "$PREV" 3e-4 9 88
  python -c "from handpad.model import rebuild_graph; rebuild_graph('runs/hangul-more/model.keras', 'int8', 'runs/hangul-more/candidate.keras')"
  handpad calibrate runs/hangul-more/candidate.keras $W/val --rare $W/val-rare --out runs/hangul-more/candidate.keras --force
  exit 0
fi
continue_run $HEAD $HEAD "$START" 5e-4 8 78
# The hybrid head's rare weight (the best on the validation designs' rarer syllables that keeps their 2350 within half a point),
# then its temperature, both on validation data only.
if [ "$HEAD" = hybrid ]; then
  handpad calibrate runs/hangul-hybrid/model.keras $W/val --rare $W/val-rare --out runs/hangul-hybrid/model.keras --force
fi
