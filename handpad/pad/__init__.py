"""The drawing pad (see handpad.pad.cli)."""
