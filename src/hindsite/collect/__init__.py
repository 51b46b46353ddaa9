"""Stage 3, collect: incidents → one `Archive` with everything computed across documents — unique ids and
indexes, related incidents, stats, per-service figures and period reports — before anything is rendered.

May import `core` only; render looks up what collect computed and never computes it again.
"""
