"""The outcome of a run at a glance (badge, number cards, failure banner), for the monitor and
the report alike; every text taken from events is HTML-escaped."""

from __future__ import annotations

import html

from workbench.record import OUTCOME_LABELS, RunFold, RunOutcome
from workbench.record.hints import bottleneck_hints

__all__ = [
    "attempts_html",
    "attempts_text",
    "badge_html",
    "banner_html",
    "cards_html",
    "fmt_seconds",
    "fmt_size",
    "hints_html",
]

_FIRST_REASONS = 3
_BADGE_COLOURS = {
    "waiting": "#6c757d",
    "running": "#0d6efd",
    "completed": "#198754",
    "completed_with_failures": "#b35c00",
    "failed": "#dc3545",
    "cancelled": "#6c757d",
    "crashed": "#dc3545",
}


def fmt_seconds(s: float | None) -> str:
    """Seconds as people read them: "–" unknown, "42 s", "3.5 min"."""
    if s is None:
        return "–"
    return f"{s:.0f} s" if s < 120 else f"{s / 60:.1f} min"


def fmt_size(n_bytes: float) -> str:
    """A file size as people read it: "812 bytes", "3.4 MB"."""
    for unit in ("bytes", "KB", "MB"):
        if n_bytes < 1024:
            return f"{n_bytes:,.0f} {unit}" if unit == "bytes" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.1f} GB"


def badge_html(outcome: str) -> str:
    """The outcome as a coloured badge (class run-status holds the machine-readable value)."""
    label = OUTCOME_LABELS.get(outcome, outcome)
    colour = _BADGE_COLOURS.get(outcome, "#6c757d")
    return (
        f"<span class='run-badge' style='background:{colour};color:white;padding:2px 8px;"
        f"border-radius:8px'>{html.escape(label)}</span>"
        f"<span class='run-status' style='display:none'>{html.escape(outcome)}</span>"
    )


def cards_html(fold: RunFold, outcome: RunOutcome, now: float | None) -> str:
    """Number cards: items, done, failed, items/s, elapsed and ETA, cache hits, tokens/s."""
    elapsed = 0.0 if fold.t0 is None else max(0.0, (now or fold.last_t or fold.t0) - fold.t0)
    lookups = sum(c.hits + c.misses for c in fold.cache.values())
    hits = sum(c.hits for c in fold.cache.values())
    prep = next((s for s in fold.stage_status(now) if s.stage == "prep"), None)
    etas = [s.eta for s in fold.stage_status(now) if s.eta is not None]
    cards = {
        "items": str(outcome.items or (prep.total if prep and prep.total else 0)),
        "done": str(outcome.done or (prep.done if prep else 0)),
        "failed": str(outcome.failed or (prep.failed if prep else 0)),
        "items/s": f"{(prep.done / elapsed) if prep and elapsed else 0:.1f}",
        "elapsed": fmt_seconds(elapsed),
        "ETA": fmt_seconds(max(etas)) if etas else "–",
        "cache hits": f"{100 * hits / lookups:.0f}%" if lookups else "–",
        "tokens": f"{sum(fold.tokens.values()):,}",
    }
    body = "".join(
        f"<div class='card' data-card='{html.escape(k)}' style='display:inline-block;"
        f"min-width:90px;margin:4px;padding:6px 10px;border:1px solid #ddd;border-radius:6px'>"
        f"<div style='font-size:11px;color:#666'>{html.escape(k)}</div>"
        f"<div style='font-size:20px;font-weight:600'>{html.escape(v)}</div></div>"
        for k, v in cards.items()
    )
    return f"<div class='cards'>{body}</div>"


def banner_html(fold: RunFold, outcome: RunOutcome) -> str:
    """A red banner with the failure count and the first reasons; empty when nothing failed."""
    if not fold.failures:
        return ""
    first = "".join(f"<li>{html.escape(f.reason)}</li>" for f in fold.failures[:_FIRST_REASONS])
    more = len(fold.failures) - _FIRST_REASONS
    tail = f"<p>… and {more} more in the failures table below.</p>" if more > 0 else ""
    return (
        "<div class='failure-banner' style='background:#f8d7da;border:1px solid #dc3545;"
        f"color:#842029;padding:8px;border-radius:6px'><b>{len(fold.failures)} item(s) failed"
        f"</b> ({html.escape(outcome.label)})<ul>{first}</ul>{tail}</div>"
    )


def hints_html(fold: RunFold) -> str:
    """The bottleneck hints as a list, each with its numbers; a plain note when there is none."""
    hints = bottleneck_hints(fold)
    if not hints:
        return "<p class='no-hints'>No bottleneck found.</p>"
    items = "".join(
        f"<li class='hint' data-kind='{html.escape(h.kind)}'><b>{html.escape(h.kind)}</b>: "
        f"{html.escape(h.message)}</li>"
        for h in hints
    )
    return f"<ul class='hints'>{items}</ul>"


def attempts_text(fold: RunFold) -> str:
    """ "resumed (attempt N)" and how each earlier attempt ended; empty for a first attempt."""
    if not fold.attempts:
        return ""
    ends = []
    for number, attempt in enumerate(fold.attempts, start=1):
        how = "was interrupted" if attempt.status is None else f"ended {attempt.status}"
        where = f" in {attempt.stage}" if attempt.stage else ""
        ends.append(f"attempt {number} ({attempt.run_id}) {how}{where} after {attempt.done} items")
    return f"resumed (attempt {fold.attempt}): " + "; ".join(ends) + "."


def attempts_html(fold: RunFold) -> str:
    """The resumed-run note as a paragraph (class run-attempts); empty for a first attempt."""
    text = attempts_text(fold)
    return f"<p class='run-attempts'>{html.escape(text)}</p>" if text else ""
