"""How numbers, dates and times are written on pages and in `hindsite inspect`."""

from __future__ import annotations

import datetime as dt


def format_duration(minutes: int | None) -> str:
    """90 → "1 h 30 min"; None → ""."""
    if minutes is None:
        return ""
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} d"] if days else []
    if hours:
        parts.append(f"{hours} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    return " ".join(parts)


def format_elapsed(minutes: int) -> str:
    """Minutes since the start of an incident: 15 → "T+0:15", 1500 → "T+25:00", -5 → "T−0:05"."""
    sign = "+" if minutes >= 0 else "−"
    hours, mins = divmod(abs(minutes), 60)
    return f"T{sign}{hours}:{mins:02d}"


def format_day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def format_instant(value: dt.datetime | None) -> str:
    """2024-03-14 09:12 UTC+01:00 style: the author's own offset, never converted."""
    if value is None:
        return ""
    return f"{value:%Y-%m-%d %H:%M} {format_offset(value)}"


def format_clock(value: dt.time | None) -> str:
    """09:12 UTC+01:00, for a time whose date is not known."""
    if value is None:
        return ""
    return f"{value:%H:%M} {format_offset(value)}"


def format_offset(value: dt.datetime | dt.time) -> str:
    offset = value.strftime("%z")
    return "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
