"""Synthesis of training data from fonts (see handpad.synth.cli)."""
