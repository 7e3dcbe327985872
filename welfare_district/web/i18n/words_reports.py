"""Messages of the partners' report upload pages (activity reports sent through the browser).

Each key holds its Italian and its English text together: (Italian, English).
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
}
