"""The command line and the side commands: `hindsite` itself (`cli`), `init`/`new` (`scaffold` and the
packaged `starter`), `inspect` and `migrate`.

The top of the house: may import any stage, `build` and `serve`; no stage imports it.
"""
