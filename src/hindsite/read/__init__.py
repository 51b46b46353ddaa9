"""Stage 1, read: the content folder → source files and documents (bytes decoded, front-matter split with
its real line numbers), never opening what is not a regular file.

May import `core` only.
"""
