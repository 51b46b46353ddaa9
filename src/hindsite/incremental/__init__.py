"""What changed → what to redo: the build cache on disk and the one rule, used by `build` and by
`serve` alike, for which documents to read again and which pages to render again.

May import `core`, `read`, `collect` and `render` (to fingerprint what a page shows).
"""
