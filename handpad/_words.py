"""Counts in messages: "1 sample", "2 samples" (never "1 samples")."""


def counted(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
