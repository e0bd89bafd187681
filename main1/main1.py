"""The original entry point: `python main1/main1.py` opens the digits pad (= `handpad draw digits`).

Works from a repo checkout without installing, from any working directory.
Extra arguments pass through, e.g. `python main1/main1.py --live --model my.keras`.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout's handpad package

from handpad.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["draw", "digits", *sys.argv[1:]]))
