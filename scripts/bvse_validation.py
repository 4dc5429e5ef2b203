"""Print the BVSE validation table of docs/transport.md (BVSE beside the review's measured Ea).

    PYTHONPATH=src python scripts/bvse_validation.py

Same code path as ``nitrolyte transport NAME --method bvse --json``.
"""

from nitrolyte.transport.bvse_validation import markdown, validation_rows

if __name__ == "__main__":
    print(markdown(validation_rows()))
