"""Stage 5, write: rendered pages → the output folder, built beside it and swapped in whole, with
collision checks, the output lock and the link check over what was written.

May import `core` only.
"""
