"""Stage 4, render: the collected archive → pages and data files (HTML through Jinja themes, search
index, feed, JSON and CSV), yielded one at a time for the writer.

May import `core` and `collect`; never reads files of the content folder nor writes any.
"""
