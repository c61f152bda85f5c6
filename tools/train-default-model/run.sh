#!/bin/sh
# The whole recipe for the bundled model, one command, from the repository root:
#   sh tools/train-default-model/run.sh
# Needs: Debian python3-torch python3-onnx python3-numpy libopenblas0-pthread python3.11-doc,
# Node 20 with this repository's node_modules (tokenizers, onnxruntime-node, @huggingface/tokenizers).
# Takes about 75-90 minutes on 2 CPU cores. Intermediate files go to .cache/train-default-model.
set -eu
WORK=.cache/train-default-model
OUT=media/models/mini-code
GOLDEN=test/fixtures/models/mini-code-golden.json
PY=/usr/bin/python3
# One BLAS thread per process: two single-threaded data-parallel workers use 2 cores better than
# one two-threaded process for matrices this small (measured: 1.6k tokens/s each vs 1.4-1.9k total).
export OPENBLAS_NUM_THREADS=1

$PY tools/train-default-model/prepare_corpus.py --work $WORK
node tools/train-default-model/train_tokenizer.mjs --work $WORK --out $OUT --vocab 4096
# Stage 1: language modelling with repeated random segments over the whole vocabulary. The
# schedule is planned for 2400 steps but the run stops at 1600 (before the cooldown): no induction
# head had formed by then, so stage 2 takes over.
$PY tools/train-default-model/train.py --work $WORK --run stage1 \
  --steps 2400 --stop-at 1600 --eval-every 100 --layers 4 --d-model 256 --heads 8 --context 512 --rope \
  --train-ctx 256 --long-steps 600 --cooldown 600 --tokens-per-step 2048 --procs 2 --threads 1 \
  --lr 2e-3 --warmup 100 --syn 0.9 --syn-end 0.35 --syn-decay 1000 --pure 0.6 --seed 1234
# Stage 2: the same model, with the random segments drawn from a pool of the 64 most frequent
# tokens that doubles every 120 steps up to the whole vocabulary (a copying curriculum), then
# 512-token windows and the learning-rate cooldown.
$PY tools/train-default-model/train.py --work $WORK --run final --init-from $WORK/stage1/checkpoint.pt \
  --steps 1100 --eval-every 50 --layers 4 --d-model 256 --heads 8 --context 512 --rope \
  --train-ctx 256 --long-steps 400 --cooldown 400 --tokens-per-step 2048 --procs 2 --threads 1 \
  --lr 2e-3 --warmup 1 --syn 0.6 --syn-end 0.4 --syn-decay 600 --pure 0.6 \
  --syn-pool 64 --pool-double-every 120 --seed 4321
$PY tools/train-default-model/export.py --work $WORK --run final --out $OUT --golden $GOLDEN
$PY tools/train-default-model/write_card.py --work $WORK --run final --out $OUT
