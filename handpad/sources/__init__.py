"""Readers for every source format. Each reader yields samples or the errors of bad samples.

``(label, image)`` tuples come out for good samples; a bad sample comes out as a
:class:`~handpad.errors.DataFormatError` (naming file and line/offset) so the converter can
skip and count it, or stop at it with ``--strict``. A file that cannot be read at all
raises the DataFormatError instead.
"""
