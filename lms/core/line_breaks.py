"""Line-break opportunities for scripts written without spaces between words, before text reaches the PDF renderer.

Pango (and so WeasyPrint) finds no break inside a run of Lao, Khmer or Burmese (Thai breaks, through
libthai), so a long title in those scripts stays on one line and runs out of its box. ICU's line
breaker knows their words from its dictionaries; a zero-width space at each of its boundaries lets
the renderer wrap there and prints nothing.
"""
import re
from functools import lru_cache

import icu

ZERO_WIDTH_SPACE = "\u200b"
# Lao; Khmer and Khmer symbols; Myanmar and its extensions: all in the Basic Multilingual Plane, so
# ICU's UTF-16 offsets are Python's string offsets.
UNSPACED_RUN = re.compile("[\u0e80-\u0eff\u1780-\u17ff\u19e0-\u19ff\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f]{2,}")


@lru_cache(maxsize=1)
def _line_breaker():
    return icu.BreakIterator.createLineInstance(icu.Locale.getRoot())


def _break_run(match: re.Match) -> str:
    run = match.group(0)
    breaker = _line_breaker()
    breaker.setText(run)
    boundaries = [0, *breaker]
    return ZERO_WIDTH_SPACE.join(run[start:end] for start, end in zip(boundaries, boundaries[1:]))


def with_break_opportunities(text: str) -> str:
    """`text` with a zero-width space wherever ICU may break a Lao, Khmer or Burmese line; the rest untouched.

    Safe on a whole HTML document: the runs it changes hold only those scripts' letters, never markup.
    """
    return UNSPACED_RUN.sub(_break_run, text)
