"""JSON documents as the command line and the web write them: numpy scalars as numbers, NaN,
infinities and pandas NA as null (stdlib only; below every interface)."""

from __future__ import annotations

import json
import math
from typing import Any


def to_jsonable(value: Any) -> Any:
    """Containers recursively; numpy scalars -> Python; NaN, infinities and pandas NA -> None."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if value is None or isinstance(value, str | bool):
        return value
    if hasattr(value, "item"):
        value = value.item()
    try:
        if value != value:  # NaN and pandas NA
            return None
    except (TypeError, ValueError):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def json_text(doc: Any) -> str:
    """A JSON document as the commands print it (UTF-8, indented, NaN as null), no newline."""
    return json.dumps(to_jsonable(doc), indent=2, ensure_ascii=False)
