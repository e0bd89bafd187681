"""The recognizer: what an app asks a model — any picture in, the most likely labels out.

    >>> rec = Recognizer.load("hangul")          # or "digits", or a path to a .keras file
    >>> rec.top_k(image, k=3)                      # any image: canvas, file, dataset sample
    [('가', 0.97), ('각', 0.01), ('기', 0.004)]

A thin wrapper over :class:`handpad.model.Model` (the file, its label space, preprocessing and
engine): every picture goes through the model's own preprocessing, then the model.
``only="hangul-ksx1001"`` answers with the 2350 common syllables alone, from a model of all 11,172
(the probabilities renormalized over them).
"""
from __future__ import annotations

import copy

import numpy as np

from .model import Model, top_indices


class Recognizer:
    def __init__(self, model: Model, only=None):
        from .errors import HandpadError
        from .labels import LabelError, label_space, space_map

        self.model = model
        self.label_space = model.label_space
        self._columns = None
        if only is not None:
            try:
                self.label_space = label_space(only)
                self._columns = space_map(self.label_space, model.label_space)
            except LabelError as e:
                raise HandpadError(f"only={only!r}: {e} (the model answers over {model.label_space.name!r})") from None

    def one_view(self) -> "Recognizer":
        """The same recognizer reading each image once (:meth:`handpad.model.Model.one_view`)."""
        single = self.model.one_view()
        if single is self.model:
            return self
        other = copy.copy(self)
        other.model = single
        return other

    @classmethod
    def load(cls, name_or_path="hangul", engine: str = "auto", only=None) -> "Recognizer":
        """Load a model by name (``digits``, ``hangul``) or path; ``engine``: auto, litert or keras;
        ``only``: a label space inside the model's to answer from (e.g. ``hangul-ksx1001``)."""
        return cls(Model.load(name_or_path, engine=engine), only)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.label_space.labels

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def path(self):
        return self.model.path

    def prepare(self, image, ink: str = "auto") -> np.ndarray:
        """The uint8 input the model sees for ``image`` (raises NothingDrawnError if there is no ink);
        ``ink`` as :func:`handpad.preprocess.ink_map` takes it. A photo of one character on ruled or grid
        paper has its printed lines taken away first, as :meth:`read` does
        (:func:`handpad.page.without_rules_across`), and a scan's dark border, punch holes, a photo's thumb
        (:func:`handpad.page.without_scan_marks`); any other image is prepared as it is."""
        if ink != "map":
            from .preprocess import ink_map
            from .page import without_rules_across, without_scan_marks

            image, ink = without_rules_across(without_scan_marks(ink_map(image, ink))), "map"
        return self.model.prepare(image, ink)

    def predict_proba(self, images, prepared: bool = False) -> np.ndarray:
        """Probabilities (n, classes) for a sequence of images (``prepared``: already through :meth:`prepare`)."""
        xs = np.stack(list(images) if prepared else [self.prepare(im) for im in images])
        return self._restrict(self.model.predict(xs))

    def probabilities(self, outputs: np.ndarray) -> np.ndarray:
        """The model's raw outputs (:meth:`handpad.model.Model.outputs`) -> this recognizer's probabilities."""
        return self._restrict(self.model.probabilities(outputs))

    def _restrict(self, probs: np.ndarray) -> np.ndarray:
        """The model's probabilities -> over this recognizer's labels (``only``), renormalized."""
        if self._columns is not None:
            probs = probs[:, self._columns]
            probs /= np.maximum(probs.sum(axis=1, keepdims=True), 1e-30)
        return probs

    def top_k(self, image, k: int = 3) -> list[tuple[str, float]]:
        """The k most likely labels for one image, best first: [(label, prob), ...]."""
        return self.top_k_batch([image], k)[0]

    def top_k_batch(self, images, k: int = 3, prepared: bool = False) -> list[list[tuple[str, float]]]:
        """:meth:`top_k` for a sequence of images, in one model call."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        return [self._ranked(p, k) for p in self.predict_proba(images, prepared)]

    def read(self, image=None, strokes=None, k: int | None = None, prior: bool | None = None, verifier="shipped"):
        """Read a line of several syllables (or digits) written left to right: a
        :class:`handpad.reading.Reading` (``.text``, ``.syllables`` with boxes and candidates). An
        image of several lines is read line by line (``.lines``; ``.text`` joins them with newlines).

        ``strokes``: the pad's strokes in drawing order (their timing helps); else ``image``.
        ``prior``: rerank with the Korean language prior (default: yes for Hangul, no for digits).
        ``verifier``: the box verifier that helps to cut tight writing (default: the shipped one of
        the model's kind, where there is one; a path; None for none).
        """
        from . import reading

        return reading.read(self, image=image, strokes=strokes, k=k or reading.TOP_K, prior=prior, verifier=verifier)

    def samples(self, reading) -> list[tuple[np.ndarray, str]]:
        """A line as read (with the user's picks: ``Reading.choose``) -> ``(input, label)`` for each of its
        characters, what the pads save for ``handpad finetune``: each box's own ink prepared as it was read, under
        the label the text uses. Marks (".", ",", ":", ...) are left out; so are labels outside the model's."""
        return [(self.model.prepare(s.ink, "map"), s.label) for s in reading.syllables
                if s.ink is not None and s.label in self.model.label_space]

    def _ranked(self, probs: np.ndarray, k: int) -> list[tuple[str, float]]:
        return [(self.labels[i], float(probs[i])) for i in top_indices(probs, k)]

    def __repr__(self) -> str:
        return f"Recognizer({self.name!r}, classes={len(self.labels)}, engine={self.model.engine.name})"


def answer_json(top: list[tuple[str, float]]) -> dict:
    """One image's answer as JSON, the stable contract of ``handpad predict --json`` and of
    ``handpad serve``'s ``/api/predict``: ``{"top": [{"label": "가", "prob": 0.9731}, ...], "unsure": false}``
    (probabilities rounded to 4 places; ``unsure``: top-1 below handpad.calibration.UNSURE_BELOW)."""
    from .calibration import UNSURE_BELOW

    return {"top": [{"label": label, "prob": round(p, 4)} for label, p in top], "unsure": top[0][1] < UNSURE_BELOW}
