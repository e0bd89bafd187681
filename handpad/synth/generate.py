"""Fonts -> a Hangul dataset store (and optionally PHD08-format text files).

The work is cut into units of (face, chunk of syllables), keyed ``<face id>:<chunk>``.
Workers render their unit's samples; the main process writes them to the store in unit
order and commits each finished unit (shard + manifest entry), so

* the same ``seed`` gives the same store byte for byte, whatever the worker count (every
  (face, syllable) has its own random stream; units arrive in order),
* an interrupted run (Ctrl-C, full disk) leaves a valid store with whole units in it, and a
  re-run with the same options continues where it stopped.

Every sample goes through :func:`handpad.preprocess.preprocess` (default config, 60x60),
exactly as a drawing does. Stores count in the label space of the 2350 KS X 1001 syllables.
"""
from __future__ import annotations

import dataclasses
import errno
import re
import shutil
import time
import zlib
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from math import gcd
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from tqdm.auto import tqdm

from .._words import counted
from ..errors import HandpadError, NothingDrawnError
from ..labels import hangul_syllables
from ..parallel import ordered_map
from ..preprocess import DIGITS_CONFIG, HANGUL_CONFIG, INPUT_SIZE, PreprocessConfig, preprocess
from ..store import MANIFEST, Store, StoreWriter, atomic_write_bytes, read_manifest
from . import hand as handlib
from . import pen as penlib
from . import render
from .fonts import FontFace

SPACE = "hangul-ksx1001"  # the default label space of synthesized stores (--label-space hangul-11172 for all)
KINDS = ("designed", "pen", "hand")
DEFAULT_MIX = {"designed": 1, "pen": 1}
CHUNK = 1175  # syllables per work unit: 2 units per face (a few seconds of work at --per-font 2)
COMMIT_EVERY = 1  # commit once this many samples are buffered: 1 = after every unit
SHARD_SIZE = 20000  # at most this many samples per shard file
GENERATOR_VERSION = 2  # bump when the samples a seed produces change
MIN_SIZE, MAX_SIZE = 28, 128  # --size: below, Hangul's strokes merge; above, training gets slow for nothing
PHD08_MAX_SIDE = 80  # pen drawings are shrunk to this longer side in PHD08 text files


def parse_mix(text: str | dict | None) -> dict[str, int]:
    """``"designed=1,pen=2"`` -> {"designed": 1, "pen": 2} (weights: non-negative integers)."""
    if text is None:
        return dict(DEFAULT_MIX)
    if isinstance(text, dict):
        items = list(text.items())
    else:
        items = []
        for part in filter(None, (p.strip() for p in str(text).split(","))):
            name, sep, weight = part.partition("=")
            if not sep:
                raise HandpadError(f"--mix: expected KIND=WEIGHT, got {part!r} (e.g. designed=1,pen=2)")
            try:
                items.append((name.strip(), int(weight)))
            except ValueError:
                raise HandpadError(f"--mix: weight of {name.strip()!r} must be an integer, got {weight!r}") from None
    mix = {}
    for name, weight in items:
        if name not in KINDS:
            raise HandpadError(f"--mix: unknown kind {name!r}; kinds are {', '.join(KINDS)}")
        if weight < 0:
            raise HandpadError(f"--mix: weight of {name} must be >= 0")
        if weight:
            mix[name] = int(weight)
    if not mix:
        raise HandpadError("--mix: at least one kind needs a positive weight")
    g = 0
    for w in mix.values():
        g = gcd(g, w)
    return {k: mix[k] // g for k in KINDS if k in mix}


def kind_cycle(mix: dict[str, int]) -> list[str]:
    """The mix as a cycle of kinds; sample k of syllable i gets cycle[(i * per_font + k) % len]
    (turned by the face as well when per_font is not a multiple of len: see :func:`sample_kinds`)."""
    return [k for k in KINDS for _ in range(mix.get(k, 0))]


def turned_by_face(options: "SynthOptions") -> bool:
    """When ``per_font`` is not a multiple of the mix's cycle, a syllable's samples cannot take
    every kind in every face: the cycle is then turned by the face too, so that every syllable
    gets every kind across the faces (without it, designed=1,pen=1,hand=2 at --per-font 2 gave
    half the syllables hand samples only). Where it is a multiple, the samples are as before."""
    return options.per_font % len(kind_cycle(options.mix)) != 0


def sample_kinds(face_id: str, label: int, options: "SynthOptions") -> list[str]:
    """The kinds of the ``per_font`` samples of one (face, syllable)."""
    cycle = kind_cycle(options.mix)
    start = label * options.per_font
    if turned_by_face(options):
        start += zlib.crc32(face_id.encode())
    return [cycle[(start + k) % len(cycle)] for k in range(options.per_font)]


def _syllables_of(space_or_store: str) -> set[str]:
    """The syllables of a label space (by name), of the samples of a dataset store (a folder) or of a
    syllable list (a text file: syllables separated or not; ``#`` starts a comment)."""
    from pathlib import Path

    from ..labels import SPACE_NAMES, label_space
    from ..store import load_store

    path = Path(space_or_store)
    if path.is_dir():
        store = load_store(space_or_store)
        return {store.label_space.labels[i] for i in np.unique(store.labels)}
    if path.is_file():
        return _syllable_list(path)
    if space_or_store not in SPACE_NAMES:
        raise HandpadError(f"--leave-out {space_or_store}: neither a label space ({', '.join(SPACE_NAMES)}), "
                           "a dataset store folder nor a syllable list file")
    return set(label_space(space_or_store).labels)


def _syllable_list(path) -> set[str]:
    """A text file of Hangul syllables (e.g. models/hangul-refit-syllables.txt); anything else than
    syllables, spaces and commas outside a ``#`` comment is refused, naming the line."""
    from ..labels import label_space

    every = set(label_space("hangul-11172").labels)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise HandpadError(f"--leave-out {path}: not a readable UTF-8 syllable list ({e})") from None
    found: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        for c in line.split("#", 1)[0]:
            if c.isspace() or c == ",":
                continue
            if c not in every:
                raise HandpadError(f"{path}, line {number}: {c!r} is not a Hangul syllable (a syllable list "
                                   "holds syllables, spaces and commas; # starts a comment)")
            found.add(c)
    return found


def choose_syllables(syllables: str | Sequence[str] | None = None, num: int | None = None, seed: int = 0,
                     space: str = SPACE, leave_out: str | Sequence[str] | None = None) -> tuple[str, ...]:
    """The syllables to synthesize, in code order: given ones, a seeded random ``num``, or all of the
    label space ``space``; ``leave_out`` names label spaces or dataset stores whose syllables are
    left out (e.g. the 2350 KS X 1001 ones, for a set of rarer syllables of hangul-11172, and a test
    store, so that training never sees its syllables whole)."""
    from ..labels import LabelError, label_space

    try:
        target = label_space(space)
        dropped = set()
        for item in [leave_out] if isinstance(leave_out, str) else (leave_out or []):
            dropped |= _syllables_of(item)
    except LabelError as e:
        raise HandpadError(str(e)) from None
    if syllables:
        chosen = []
        for c in "".join(syllables) if not isinstance(syllables, str) else syllables:
            if c.isspace() or c == ",":
                continue
            if c not in target:
                raise HandpadError(f"--syllables: {c!r} is not in the label space {target.name} ({target.description})")
            chosen.append(c)
        out = sorted(set(chosen), key=target.index)
    else:
        out = list(target.labels)
    out = [c for c in out if c not in dropped]
    if num is not None:
        if not 0 < num <= len(out):
            raise HandpadError(f"--num-syllables must be in 1..{len(out)}, got {num}")
        pick = np.random.default_rng(np.random.SeedSequence([seed, 7])).choice(len(out), num, replace=False)
        out = [out[i] for i in sorted(pick)]
    return tuple(out)


@dataclass
class SynthOptions:
    """What a synthesized store is made of; recorded in its manifest (re-runs must match)."""

    per_font: int = 2
    mix: dict = field(default_factory=lambda: dict(DEFAULT_MIX))
    seed: int = 0
    syllables: tuple[str, ...] | None = None  # None: all of label_space
    label_space: str = SPACE  # the store's labels: hangul-ksx1001 (2350) or hangul-11172
    chunk: int = CHUNK
    pen_jitter: float = 1.0  # scale of the pen's hand-like wobble, slant and squeeze (0: none)
    hand_style: str | handlib.HandStyle = "normal"  # the hand kind's style: a preset's name or a HandStyle
    mix_designs: float = 0.0  # share of the hand samples with jamo of another design of the run (hand.mix_jamo)
    size: int = INPUT_SIZE  # side of the stored images (the model's input): finer detail costs training time

    def __post_init__(self):
        if self.per_font < 1:
            raise HandpadError(f"--per-font must be >= 1, got {self.per_font}")
        if not 0 <= self.pen_jitter <= 4:
            raise HandpadError(f"--pen-jitter must be between 0 and 4, got {self.pen_jitter}")
        try:
            handlib.hand_style(self.hand_style)
        except (ValueError, TypeError) as e:
            raise HandpadError(f"--hand-style: {e}") from None
        if not 0 <= self.mix_designs <= 1:
            raise HandpadError(f"--mix-designs must be between 0 and 1, got {self.mix_designs}")
        if not MIN_SIZE <= self.size <= MAX_SIZE:
            raise HandpadError(f"--size must be between {MIN_SIZE} and {MAX_SIZE} pixels, got {self.size}")
        self.mix = parse_mix(self.mix)

    @property
    def preprocess_config(self) -> PreprocessConfig:
        # digits are centred by mass, as MNIST is (the digits model's input), syllables by their box
        kind = DIGITS_CONFIG if self.label_space == "digits" else HANGUL_CONFIG
        return dataclasses.replace(kind, size=self.size)

    def to_dict(self) -> dict:
        d = {
            "generator": "handpad.synth", "generator_version": GENERATOR_VERSION,
            "per_font": self.per_font, "mix": self.mix, "seed": self.seed, "chunk": self.chunk,
            "syllables": "".join(self.syllables) if self.syllables is not None else "all",
            "preprocess": self.preprocess_config.to_dict(),
        }
        if self.pen_jitter != 1.0:  # only when set: stores made before the option still match
            d["pen_jitter"] = self.pen_jitter
        if self.label_space != SPACE:
            d["label_space"] = self.label_space
        if turned_by_face(self):  # recorded: stores made before the turn had other kinds here
            d["kinds"] = "by face and syllable"
        if "hand" in self.mix:  # the hand's style, in full: a preset may change, the record stays
            d["hand_style"] = self.hand.to_dict() | {"version": handlib.VERSION}
        if self.mix_designs:  # only when set, as pen_jitter
            d["mix_designs"] = self.mix_designs
        return d

    @property
    def pen_style(self) -> penlib.PenStyle:
        f, base = self.pen_jitter, penlib.DEFAULT_PEN
        return dataclasses.replace(base, rotation=base.rotation * f, shear=base.shear * f, aspect=base.aspect * f,
                                   elastic=(base.elastic[0] * f, base.elastic[1] * f))

    @property
    def hand(self) -> handlib.HandStyle:
        return handlib.hand_style(self.hand_style)

    @property
    def syllable_list(self) -> tuple[str, ...]:
        from ..labels import label_space

        return self.syllables if self.syllables is not None else label_space(self.label_space).labels


# -- one sample ----------------------------------------------------------------------------
_RENDERERS: dict[tuple[str, int], render.GlyphRenderer] = {}


def renderer_for(face: FontFace) -> render.GlyphRenderer:
    """One renderer (FreeType objects + glyph cache) per face per process."""
    key = (face.path, face.index)
    if key not in _RENDERERS:
        _RENDERERS.clear()  # units come one face at a time
        _RENDERERS[key] = render.GlyphRenderer(face.path, face.index, textured=face.textured)
    return _RENDERERS[key]


def sample_rng(seed: int, face_id: str, label: int, stream: int = 0) -> np.random.Generator:
    """The random stream of one (face, syllable): independent of chunking and workers. ``stream``
    1: the choice of jamo from other designs (its own stream: the samples' draws stay as they were)."""
    key = [int(seed) & 0xFFFFFFFF, zlib.crc32(face_id.encode()), int(label)] + ([stream] if stream else [])
    return np.random.default_rng(np.random.SeedSequence(key))


MIX_TRIES = 3  # partners tried for a sample: ~40% of two random training designs take a syllable apart alike
_PARTNER_RENDERERS: dict[tuple[str, int], render.GlyphRenderer] = {}


def partner_glyph(partners: Sequence[FontFace], char: str, rng: np.random.Generator):
    """The syllable's strokes in one of ``partners`` (another design of the run), or None."""
    face = partners[int(rng.integers(0, len(partners)))]
    key = (face.path, face.index)
    if key not in _PARTNER_RENDERERS:  # a run has ~100 faces: all stay open (their glyph caches are small)
        _PARTNER_RENDERERS[key] = render.GlyphRenderer(face.path, face.index, textured=face.textured, cache_size=16)
    try:
        return _PARTNER_RENDERERS[key].hand_glyph(char)
    except (ValueError, NothingDrawnError):
        return None


def make_samples(face: FontFace, char: str, label: int, options: SynthOptions, want_phd08: bool = False,
                 partners: Sequence[FontFace] = ()):
    """The ``per_font`` samples of one (face, syllable); ``partners``: the run's other designs
    (``options.mix_designs`` of the hand samples take some jamo from one of them).

    Returns a list of (kind, uint8 60x60 image, phd08 (name, binary image) or None).
    Raises ValueError/NothingDrawnError if the glyph cannot be made into samples.
    """
    rng = sample_rng(options.seed, face.id, label)
    kinds = sample_kinds(face.id, label, options)
    n_designed = kinds.count("designed")
    cells = iter(rng.choice(render.GRID_CELLS, n_designed, replace=n_designed > render.GRID_CELLS)) if n_designed else iter(())
    renderer = renderer_for(face)
    config = options.preprocess_config
    mixing = sample_rng(options.seed, face.id, label, stream=1) if options.mix_designs and partners else None
    font = re.sub(r"[^A-Za-z0-9]", "", face.id)  # PHD08 names allow letters and digits only
    out = []
    for k, kind in enumerate(kinds):
        if kind == "designed":
            d = render.designed_sample(renderer, char, render.grid_cell(next(cells)), rng)
            image = preprocess(d.image.astype(np.float32), config=config, ink="bright")
            phd = (f"{font}_" + "_".join(map(str, d.cell)), d.image) if want_phd08 else None
        elif kind == "pen":
            canvas = render.pen_sample(renderer, char, rng, options.pen_style)
            image = preprocess(canvas, config=config)  # as the pad does: ink found by itself
            phd = (f"{font}Pen_0_0_0_0_{k}", _pen_binary(canvas)) if want_phd08 else None
        else:
            glyph = renderer.hand_glyph(char)
            if mixing is not None and mixing.random() < options.mix_designs:
                for _ in range(MIX_TRIES):  # designs that take the syllable apart otherwise: try another
                    other = partner_glyph(partners, char, mixing)
                    mixed = handlib.mix_jamo(glyph, other, mixing) if other is not None else glyph
                    if mixed is not glyph:
                        glyph = mixed
                        break
            canvas = handlib.draw_hand(glyph, rng, options.hand)
            image = preprocess(canvas, config=config)
            phd = (f"{font}Hand_0_0_0_0_{k}", _pen_binary(canvas)) if want_phd08 else None
        out.append((kind, image, phd))
    return out


def _pen_binary(canvas: np.ndarray) -> np.ndarray:
    """A pen canvas as a tight binary "scan" (ink = 1), longer side at most PHD08_MAX_SIDE."""
    import cv2

    ink = (255 - canvas.astype(np.float32)) / 255.0
    ys, xs = np.nonzero(ink > 0.5)
    crop = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1] if len(ys) else ink
    scale = PHD08_MAX_SIDE / max(crop.shape)
    if scale < 1:
        crop = cv2.resize(crop, (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    return np.pad((crop > 0.5).astype(np.uint8), 1)


def phd08_text(name: str, binary: np.ndarray) -> bytes:
    """One sample in PHD08's text format: name, "rows cols", rows of 0/1, a blank line."""
    rows, cols = binary.shape
    body = np.concatenate([binary.astype(np.uint8) + 48, np.full((rows, 1), 10, np.uint8)], axis=1)
    return f"{name}\n{rows} {cols}\n".encode() + body.tobytes() + b"\n"


# -- one work unit (runs in a worker) ------------------------------------------------------
@dataclass
class Unit:
    face: FontFace
    chunk: int
    syllables: tuple[str, ...]
    partners: tuple[FontFace, ...] = ()  # other designs of the run (for options.mix_designs)

    @property
    def key(self) -> str:
        return f"{self.face.id}:{self.chunk}"


def plan_units(faces: Sequence[FontFace], options: SynthOptions) -> list[Unit]:
    syl = options.syllable_list

    def partners(f):
        return tuple(g for g in faces if (g.design or g.id) != (f.design or f.id)) if options.mix_designs else ()

    return [Unit(f, c, tuple(syl[i : i + options.chunk]), partners(f))
            for f in faces for c, i in enumerate(range(0, len(syl), options.chunk))]


def run_unit(job):
    """(unit, options, want_phd08) -> (key, images, labels, kind counts, phd08 bytes or None, errors)."""
    unit, options, want_phd08 = job
    from ..labels import label_space

    index = label_space(options.label_space).index
    images, labels, kinds, errors = [], [], Counter(), []
    parts: list[bytes] = []
    for char in unit.syllables:
        label = index(char)
        try:
            samples = make_samples(unit.face, char, label, options, want_phd08, unit.partners)
        except (ValueError, NothingDrawnError) as e:
            errors.append(f"{unit.face.id} {char}: {e}")
            continue
        if want_phd08:
            parts.append(f"@{char}\n".encode())
        for kind, image, phd in samples:
            images.append(image)
            labels.append(label)
            kinds[kind] += 1
            if phd is not None:
                parts.append(phd08_text(*phd))
    arr = np.stack(images) if images else np.zeros((0, options.size, options.size), np.uint8)
    return unit.key, arr, np.asarray(labels, np.int32), dict(kinds), (b"".join(parts) if want_phd08 else None), errors


# -- the whole run -------------------------------------------------------------------------
@dataclass
class SynthReport:
    written: int = 0
    units_done: int = 0
    units_skipped: int = 0
    kinds: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    phd08_files: int = 0

    @property
    def rate(self) -> float:
        return self.written / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items())) or "none"
        lines = [
            f"wrote {counted(self.written, 'sample')} ({kinds}) from {self.units_done} work unit(s) in {self.seconds:.1f} s"
            f" ({self.rate:.0f} samples/s)" + (f"; {self.units_skipped} unit(s) already done, skipped" if self.units_skipped else "")
        ]
        if self.phd08_files:
            lines.append(f"wrote {self.phd08_files} PHD08-format text file(s)")
        if self.errors:
            lines.append(f"{len(self.errors)} (face, syllable) pair(s) could not be rendered and were left out:")
            lines += [f"  {e}" for e in self.errors[:20]] + ([f"  ... and {len(self.errors) - 20} more"] if len(self.errors) > 20 else [])
        return "\n".join(lines)


def synthesize(
    faces: Sequence[FontFace],
    out,
    options: SynthOptions | None = None,
    workers: int = 2,
    phd08_dir=None,
    overwrite: bool = False,
    progress: bool = True,
    commit_every: int = COMMIT_EVERY,
) -> SynthReport:
    """Render every (face, syllable) ``per_font`` times into the store at ``out``.

    Finished units are committed (written and recorded in the manifest) once
    ``commit_every`` samples are buffered; the default commits after every unit.
    """
    options = options or SynthOptions()
    out = Path(out)
    _check_same_options(out, options, overwrite)
    store_options = options.to_dict() | {"faces": [f.id for f in faces]}
    phd08_dir = Path(phd08_dir) if phd08_dir else None
    parts_dir = phd08_dir / ".parts" if phd08_dir else None

    units = plan_units(faces, options)
    # Fail before writing anything if the disk cannot hold what is left to do.
    done = set() if overwrite or not (out / MANIFEST).exists() else set(read_manifest(out).get("inputs_done", []))
    left = sum(len(u.syllables) * options.per_font for u in units if u.key not in done)
    _check_disk_space(out, left, phd08_dir is not None, options.size)
    writer = StoreWriter(out, options.label_space, source="synth-hangul", options=store_options, shard_size=SHARD_SIZE,
                         image_size=options.size, overwrite=overwrite)
    writer.commit()  # the manifest exists from the start: an empty store is still a valid store
    if overwrite and parts_dir and parts_dir.exists():
        shutil.rmtree(parts_dir)
    report = SynthReport()
    todo = []
    for u in units:
        need_store = not writer.is_done(u.key)
        need_part = parts_dir is not None and not _part_path(parts_dir, u).exists()
        if need_store or need_part:
            todo.append((u, need_store))
        else:
            report.units_skipped += 1
    jobs = [(u, options, parts_dir is not None) for u, _ in todo]
    need_store = {u.key: n for u, n in todo}
    total = sum(len(u.syllables) * options.per_font for u, _ in todo)

    start = time.perf_counter()
    bar = tqdm(total=total, unit="sample", desc="synth hangul", disable=not progress, smoothing=0.05)
    pending: list[str] = []
    buffered = 0
    # In job order: the store does not depend on timing.
    results = ordered_map(run_unit, jobs, max(1, min(workers, len(jobs))))
    try:
        for (unit, _, _), (key, images, labels, kinds, part, errors) in zip(jobs, results):
            bar.update(len(unit.syllables) * options.per_font)
            report.errors += errors
            if parts_dir is not None:
                path = _part_path(parts_dir, unit)
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(path, part)
            if need_store[key]:
                writer.add(images, labels)
                report.written += len(labels)
                report.kinds.update(kinds)
                report.units_done += 1
                pending.append(key)
                buffered += len(labels)
                if buffered >= commit_every:
                    writer.commit(pending)
                    pending, buffered = [], 0
        writer.commit(pending)
        pending = []
        writer.close(complete=True)
        if phd08_dir is not None:
            report.phd08_files = assemble_phd08(parts_dir, phd08_dir, faces, options)
    except OSError as e:
        _discard(writer)
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise HandpadError(
                f"{out}: no space left on the device; the store is valid with the {writer.manifest['count']} samples "
                "committed so far. Free some space and re-run the same command to continue."
            ) from None
        raise HandpadError(f"{out}: cannot write ({e.strerror or e}); finished units are kept, re-run to continue") from None
    except BaseException:
        _discard(writer)  # Ctrl-C or a bug: only whole, committed units stay in the store
        raise
    finally:
        results.close()  # queued units are cancelled, running ones finish: no worker outlives the run
        bar.close()
        report.seconds = time.perf_counter() - start
    return report


def synthesize_pairs(faces: Sequence[FontFace], pairs: Iterable[tuple[int, int]], out, options: SynthOptions,
                     source: str, record: dict | None = None, workers: int = 1, progress: bool = True) -> Store:
    """Render chosen ``(face index, label)`` pairs with ``options`` into a new store at ``out``.

    For a one-off set of samples (finetune's replay), not a resumable run: the pairs make one unit
    per face, in face then label order (the order of the store); a pair that cannot be rendered
    is left out.
    """
    syllables = hangul_syllables()
    by_face: dict[int, list[str]] = {}
    for face_i, label in sorted(set(pairs)):
        by_face.setdefault(face_i, []).append(syllables[label])
    jobs = [(Unit(faces[f], f, tuple(chars)), options, False) for f, chars in by_face.items()]
    writer = StoreWriter(out, SPACE, source=source, options=record or {}, image_size=options.size, overwrite=True)
    total = sum(len(unit.syllables) * options.per_font for unit, _, _ in jobs)
    bar = tqdm(total=total, unit="sample", desc=source, disable=not progress)
    with bar, closing(ordered_map(run_unit, jobs, max(1, min(workers, len(jobs))))) as results:
        for (unit, _, _), (_, images, labels, _, _, _) in zip(jobs, results):
            writer.add(images, labels)
            bar.update(len(unit.syllables) * options.per_font)
    return writer.close()


def _discard(writer: StoreWriter) -> None:
    try:
        writer.discard_pending()
    except OSError:
        pass  # the next open removes stray shards anyway


def _check_same_options(out: Path, options: SynthOptions, overwrite: bool) -> None:
    """A re-run continues a store only if it would produce the same samples."""
    if overwrite or not (out / MANIFEST).exists():
        return
    old = read_manifest(out).get("options", {})
    new = options.to_dict()
    diff = [k for k in new if old.get(k) != new[k]]
    if diff:
        what = ", ".join(f"{k}: {old.get(k)!r} -> {new[k]!r}" for k in diff if k != "syllables")
        if "syllables" in diff:
            what = (what + ", " if what else "") + "another syllable set"
        raise HandpadError(
            f"{out} was synthesized with other options ({what}); re-run with the same options to continue it, "
            "or use another --out folder or --overwrite"
        )


def _check_disk_space(out: Path, samples: int, phd08: bool, size: int = INPUT_SIZE) -> None:
    probe = out
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    need = samples * (size * size + 4) * (3 if phd08 else 1) + (64 << 20)  # an image and its label each
    free = shutil.disk_usage(probe).free
    if free < need:
        raise HandpadError(
            f"{out}: not enough disk space: about {need / 2**20:.0f} MB needed, {free / 2**20:.0f} MB free on the device; "
            "free some space, or synthesize fewer samples (--per-font, --num-syllables, fewer fonts)"
        )


# -- PHD08-format text files -----------------------------------------------------------------
def _part_path(parts_dir: Path, unit: Unit) -> Path:
    return parts_dir / f"{unit.chunk:04d}" / f"{unit.face.id}.txt"


def assemble_phd08(parts_dir: Path, phd08_dir: Path, faces: Sequence[FontFace], options: SynthOptions) -> int:
    """Per-unit parts -> one ``<syllable>.txt`` per syllable (faces in id order), written atomically.

    The parts stay in ``.parts`` so a later run with more faces can re-assemble the files.
    """
    written = 0
    for chunk_dir in sorted(p for p in parts_dir.iterdir() if p.is_dir()):
        per_syllable: dict[str, list[bytes]] = {}
        for part in sorted(chunk_dir.glob("*.txt")):
            for block in part.read_bytes().split(b"@")[1:]:
                head, _, body = block.partition(b"\n")
                per_syllable.setdefault(head.decode("utf-8"), []).append(body)
        for char, bodies in per_syllable.items():
            atomic_write_bytes(phd08_dir / f"{char}.txt", b"".join(bodies))
            written += 1
    return written


def count_samples(faces: Sequence[FontFace], options: SynthOptions) -> int:
    return len(faces) * len(options.syllable_list) * options.per_font


def units_of(faces: Iterable[FontFace], options: SynthOptions) -> list[str]:
    return [u.key for u in plan_units(list(faces), options)]
