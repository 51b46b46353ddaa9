"""Hostile postmortems: no content can make a built page run or load anything.

An archive of our own malicious documents is built, and every page of the
output is parsed and scanned: scripts, event handlers, dangerous URLs,
embedding and navigation elements, ids. The theme (templates/) is trusted and
is read to learn what it may emit; everything else on a page came from content
and must be inert. A meta-test builds the same archive with sanitising switched
off and shows the scanner then finds what it is looking for, so the main test
cannot pass by scanning nothing.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from hindsite.build import build
from hindsite.core import markup
from hindsite.core.config import SiteConfig
from hindsite.render import urls, views

THEME = Path(__file__).resolve().parents[2] / "templates"

# ---------------------------------------------------------------------------
# The hostile archive. Every `keep-…` word sits in plain text next to hostile
# markup and must reach its report page: sanitising removes the attack, never
# the author's words. Nothing named `keep-…` is placed where it may rightly
# vanish (inside a script, an attribute or a comment; or nested in inline SVG or
# MathML, which the sanitiser drops with its text: those are named `inner-…`).
# ---------------------------------------------------------------------------

TAB = "⇥"  # stands for a real tab in the documents below, so the source stays readable

SCRIPTS = """---
title: Scripts in many spellings
date: 2024-01-01
severity: sev2
services: [api]
tags: [hostile]
---

## Summary

keep-s1 <script>alert("s1")</script> keep-s1b

keep-s2 <SCRIPT>alert("s2")</SCRIPT> keep-s2b

keep-s3 <script/x>alert("s3")</script> keep-s3b

keep-s4 <ScRiPt src="https://evil.example/s4.js"></sCrIpT> keep-s4b

keep-s5 <script
type="text/javascript"
defer>alert("s5")</script> keep-s5b

<script
>alert("s6 block")</script
>

keep-s7 <scr<script>ipt>alert("s7")</script> keep-s7b

keep-s8 <<script>script>alert("s8")<</script>/script> keep-s8b

keep-s9 <script src="payload.js"></script> <script src="../files/payload.js"></script> keep-s9b

## Impact

- keep-i1 <script>alert("list")</script>
- keep-i2 <img src=x onerror=alert("img")>

> keep-q1 <script>alert("quote")</script>

| keep-t1 | <script>alert("cell")</script> |
|---|---|
| keep-t2 | <svg onload=alert("cell")></svg> |

## Timeline

- 10:00 keep-tl1 <script>alert("timeline")</script> happened
- 10:05 keep-tl2 <img src=x onerror=alert("tl")> [keep-tl3](javascript:alert("tl"))

## Action items

- [ ] keep-ai1 <script>alert("action")</script> @alice OPS-1
- [ ] keep-ai2 <a href="javascript:alert('ai')" onclick="x()">keep-ai3</a> @bob OPS-2
"""

HANDLERS = """---
title: Event handlers
date: 2024-01-02
severity: sev3
---

## Summary

keep-h1 <a href="https://example.com/" onclick="alert('h1')">keep-h1-link</a> keep-h1b

keep-h2 <img src="https://example.com/x.png" onerror="alert('h2')" alt="h2"> keep-h2b

keep-h3 <body ONLOAD="alert('h3')"> <div ONLOAD=alert('h3')>keep-h3-div</div> keep-h3b

keep-h4 <svg onmouseover="alert('h4')" width="10"><circle r="5"/></svg> keep-h4b

keep-h5 <p onmouseover = 'alert("h5")' OnFocus=alert(1) tabindex=0>keep-h5-p</p>

keep-h6 <details open ontoggle=alert('h6')><summary>keep-h6-sum</summary>x</details>

keep-h7 <input autofocus onfocus=alert('h7') type=text> <input type="checkbox" checked onchange="alert(7)"> keep-h7b

keep-h8 <img src=x onerror=alert('h8')// keep-h8b

keep-h9 <span/onmouseover=alert('h9')>keep-h9-span</span>

keep-h10 <a href="https://example.com/"
onclick="alert('h10')">keep-h10-link</a>
"""

URLS = """---
title: Dangerous URLs
date: 2024-01-03
---

## Summary

keep-u1 [keep-u1-text](javascript:alert(1)) keep-u1b

keep-u2 [keep-u2-text](JaVaScRiPt:alert(2))

keep-u3 [keep-u3-text](&#106;avascript:alert(3))

keep-u4 [keep-u4-text](&#x6A;avascript:alert(4))

keep-u5 [keep-u5-text](&#X6a;&#x61;vascript&#58;alert(5))

keep-u6 [keep-u6-text](java&#9;script:alert(6))

keep-u7 [keep-u7-text](<java⇥script:alert(7)>)

keep-u8 [keep-u8-text](< ⇥javascript:alert(8)>)

keep-u9 [keep-u9-text](%6Aavascript:alert(9)) [keep-u9b-text](javascript%3Aalert(9))

keep-u10 [keep-u10-text](vbscript:msgbox(10)) [keep-u10b-text](VBScript:msgbox(10))

keep-u11 [keep-u11-text](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMSk8L3NjcmlwdD4=) [keep-u11b-text](DATA:text/html,<script>alert(11)</script>)

keep-u12 [keep-u12-text](javascript&colon;alert(12)) [keep-u13-text](&#1;javascript:alert(13))

## Impact

keep-r1 [keep-r1-text][evil] [keep-r2-text][evil2] [keep-r3-text]

[evil]: javascript:alert('r1') "a title"
[evil2]: <JAVA⇥SCRIPT:alert('r2')>
[keep-r3-text]: &#x6A;avascript:alert('r3')

keep-a1 <javascript:alert('a1')> keep-a2 <JavaScript:alert(2)> keep-a3 <vbscript:msgbox(3)> keep-a4 <data:text/html,alert(4)> keep-a5

## Root cause

keep-x1 <a href="javascript:alert('x1')">keep-x1-text</a>

keep-x2 <a href="&#106;avascript:alert('x2')">keep-x2-text</a>

keep-x3 <a href="&#x6A;&#x61;vascript:alert('x3')">keep-x3-text</a>

keep-x4 <a href="java⇥script:alert('x4')">keep-x4-text</a>

keep-x5 <a href="java&#x09;script:alert('x5')">keep-x5-text</a>

keep-x6 <a href="java&#10;script:alert('x6')">keep-x6-text</a>

keep-x7 <a href=" ⇥ javascript:alert('x7')">keep-x7-text</a>

keep-x8 <a href="&#x20;&#1;javascript:alert('x8')">keep-x8-text</a>

keep-x9 <a href="JAVASCRIPT&colon;alert('x9')">keep-x9-text</a>

keep-x10 <a href="vbscript:msgbox('x10')">keep-x10-text</a>

keep-x11 <a href="data:text/html;base64,PHNjcmlwdD4=">keep-x11-text</a>

keep-x12 <a href="javascript%3Aalert('x12')">keep-x12-text</a>

keep-x13 <a href='jav&#x0A;ascript:alert("x13")'>keep-x13-text</a>

keep-x14 <a href=javascript:alert(14)>keep-x14-text</a>

keep-x15 <a href="https://example.com/" href="javascript:alert(15)">keep-x15-text</a>

keep-x16 <a xlink:href="javascript:alert(16)">keep-x16-text</a>

keep-x17 <a href="java
script:alert(17)">keep-x17-text</a>

keep-x18 <a href="&#0000106&#0000097vascript:alert(18)">keep-x18-text</a>

## Resolution

keep-g1 <img src="javascript:alert('g1')" alt="g1"> keep-g1b

keep-g2 <img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+" alt="g2"> keep-g2b

keep-g3 ![g3](javascript:alert('g3')) keep-g3b

keep-g4 ![g4](data:text/html,<script>alert(4)</script>) keep-g4b

keep-g5 <img src="x.png" srcset="javascript:alert(5) 1x" dynsrc="javascript:alert(5)" lowsrc="javascript:alert(5)"> keep-g5b

keep-f1 <form action="javascript:alert('f1')"><input type="submit" value="go"><button formaction="javascript:alert('f2')">keep-f1-button</button></form> keep-f1b

keep-f2 <button form="x" formaction="JaVaScRiPt:alert('f3')">keep-f2-button</button>

keep-f3 <input type="image" src="javascript:alert(1)" formaction="javascript:alert(1)"> keep-f3b

keep-f4 <isindex action="javascript:alert(1)" type="image"> keep-f4b
"""

EMBEDS = """---
title: Embedding and navigation
date: 2024-01-04
---

## Summary

keep-e1 <iframe src="javascript:alert('e1')"></iframe> keep-e1b

keep-e2 <iframe srcdoc="&lt;script&gt;alert('e2')&lt;/script&gt;"></iframe> keep-e2b

keep-e3 <object data="javascript:alert('e3')"><param name="src" value="javascript:alert(3)"></object> keep-e3b

keep-e4 <embed src="javascript:alert('e4')"> keep-e4b

keep-e5 <base href="javascript:alert('e5')//"> keep-e5b

keep-e6 <meta http-equiv="refresh" content="0;url=javascript:alert('e6')"> keep-e6b

keep-e7 <link rel="stylesheet" href="https://evil.example/e7.css"> <link rel="import" href="javascript:alert(7)"> keep-e7b

keep-e8 <style>body { background: url(javascript:alert('e8')) } p { width: expression(alert('e8')) }</style> keep-e8b

keep-e9 <p style="background-image: url(javascript:alert('e9')); width: expression(alert(9))">keep-e9-p</p>

keep-e10 <frameset><frame src="javascript:alert('e10')"></frameset> keep-e10b

keep-e11 <video poster="javascript:alert('e11')" src="javascript:alert(11)"><source src="javascript:alert(11)"></video> <audio src="javascript:alert(11)"></audio> keep-e11b

keep-e12 <applet code="x" codebase="javascript:alert(12)"></applet> <portal src="javascript:alert(12)"></portal> keep-e12b

keep-e13 <meta charset="x" http-equiv="Content-Security-Policy" content="script-src *"> keep-e13b

keep-e14 <blockquote cite="javascript:alert(14)">keep-e14-quote</blockquote>

keep-e15 <a href="https://example.com/" ping="https://evil.example/p" target="_blank" rel="opener">keep-e15-a</a>

<table>
<tr><td style="text-align: left; background: url(javascript:alert('e16'))">keep-e16-cell</td>
<th style="text-align:center;behavior:url(x.htc);-moz-binding:url(x)">keep-e17-cell</th></tr>
</table>

<style>
p { background: url("javascript:alert('e18')") }
</style>

keep-e19 <template><script>alert(19)</script></template> <noscript><p title="</noscript><img src=x onerror=alert(19)>">keep-e19-ns</p></noscript>

keep-e20 <xmp><script>alert(20)</script></xmp> <noembed><script>alert(20)</script></noembed> <plaintext>
"""

FOREIGN = """---
title: SVG and MathML
date: 2024-01-05
---

## Summary

keep-v1 <svg><script>alert('v1')</script><circle r="4"/></svg> keep-v1b

keep-v2 <svg onload="alert('v2')"><rect width="4" height="4"/></svg> keep-v2b

keep-v3 <svg><a xlink:href="javascript:alert('v3')"><text x="1" y="10">inner-v3-text</text></a></svg> keep-v3b

keep-v4 <svg><animate attributeName="href" to="javascript:alert('v4')"/><set attributeName="onmouseover" to="alert(4)"/></svg> keep-v4b

keep-v5 <svg><foreignObject><iframe src="javascript:alert('v5')"></iframe></foreignObject></svg> keep-v5b

keep-v6 <svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCc+PC9zdmc+#x"/></svg> keep-v6b

keep-v7 <math href="javascript:alert('v7')">keep-v7-math</math> keep-v7b

keep-v8 <math><maction actiontype="statusline" xlink:href="javascript:alert('v8')">inner-v8-mi</maction></math>

keep-v9 <math><mtext><table><mglyph><style><img src=x onerror=alert('v9')></style></mglyph></table></mtext></math>

keep-v10 <svg></p><style><a id="</style><img src=1 onerror=alert('v10')>"></style></svg>

<svg xmlns="http://www.w3.org/2000/svg" onload="alert('v11')">
<script type="text/ecmascript">alert('v11')</script>
</svg>
"""

FENCES = """---
title: Code fences, titles and alt text
date: 2024-01-06
---

## Summary

keep-c1

```"><script>alert('c1')</script>
keep-c1-code
```

~~~js" onmouseover="alert('c2')
keep-c2-code
~~~

```' onload='alert(3)' x='
keep-c3-code
```

```<img src=x onerror=alert(4)>
keep-c4-code <script>alert('in code')</script>
```

keep-c5 [keep-c5-text](https://example.com/ "a\\" onmouseover=\\"alert('c5')") keep-c5b

keep-c6 [keep-c6-text](https://example.com/ 'b" onclick="alert(6)') keep-c6b

keep-c7 ![c7" onerror="alert('c7')](https://example.com/c7.png "t' onload='alert(7)") keep-c7b

![keep-c8 "><script>alert('c8')</script> alt](https://example.com/c8.png)

![keep-c9" onerror="alert(9)" x="](https://example.com/c9.png)

keep-c10 [keep-c10-text][t] keep-c10b

[t]: https://example.com/t "\\"><img src=x onerror=alert('t')>"

keep-c11 `<script>alert('code span')</script>` keep-c11b
"""

FRONT_MATTER = """---
title: "keep-fm-title \\"><img src=x onerror=alert('title')> ' onmouseover='alert(1)"
date: 2024-01-07
severity: "sev1\\"><script>alert('sev')</script>"
services: ["keep-fm-svc \\" onmouseover=\\"alert('svc')", "<script>alert('svc2')</script>", "' onmouseover='x"]
tags: ["keep-fm-tag \\"><img src=x onerror=alert('tag')>", "' onmouseover='x", "<svg onload=alert(1)>"]
summary: "keep-fm-summary ' onmouseover='x \\"><img src=x onerror=alert('summary')>"
status: "<b onclick=alert('status')>keep-fm-status</b>"
responders: ["keep-fm-responder \\"><script>alert(1)</script>"]
owner_notes: "keep-fm-extra \\"><iframe src=javascript:alert('extra')></iframe> ' onmouseover='x"
runbook: "javascript:alert('runbook')"
"\\"><img src=x onerror=alert('key')>": "keep-fm-evil-key"
started_at: 2024-01-07T10:00:00Z
resolved_at: "2024-01-07T11:00:00Z\\"><script>alert(1)</script>"
---

## Summary

keep-fm-body Body text.
"""

JINJA = """---
title: "keep-jinja-title jinja-probe {{ 7*7 }} end"
date: 2024-01-08
severity: sev3
services: ["{{ 7*7 }}"]
tags: ["{% for x in range(3) %}loop-body{% endfor %}", "{{ config }}"]
summary: "keep-jinja-summary jinja-probe {{ 7*7 }} end {{ config }}"
jinja_field: "{{ config }} jinja-probe {{ 7*7 }} end"
---

## Summary

keep-j1 jinja-probe {{ 7*7 }} end keep-j1b

keep-j2 {% for x in range(3) %}loop-body{% endfor %} keep-j2b

keep-j3 {{ config }} {{ site }} {{ self }} keep-j3b

keep-j4 {# a jinja comment #} {%raw%}x{%endraw%} keep-j4b

keep-k1 <!-- a-unique-comment-marker --> keep-k1b

<!-- a-unique-comment-marker
spanning lines <script>alert('comment')</script>
-->

keep-k3 <!--[if IE]><script>alert('ie')</script><![endif]--> keep-k3b

keep-k4 <![CDATA[<script>alert('cdata')</script>]]> keep-k4b

keep-k5 <?php echo "a-unique-comment-marker"; ?> keep-k5b

keep-k6 <!DOCTYPE a-unique-comment-marker> keep-k6b

## Timeline

- 10:00 keep-j5 jinja-probe {{ 7*7 }} end <!-- a-unique-comment-marker -->

## Action items

- [ ] keep-j6 {% for x in range(3) %}loop-body{% endfor %} <!-- a-unique-comment-marker --> @carol
"""

LEGACY = """# keep-legacy-title "><img src=x onerror=alert('legacy')>

| Field | Value |
|---|---|
| Severity | SEV2 <script>alert('table')</script> |
| Services | api"><svg onload=alert(1)> |
| Date | 2023-12-01 |

Owner: keep-legacy-owner "><img src=x onerror=alert('owner')>
Status: <b onclick=alert(1)>resolved</b>

**Summary**

keep-legacy-summary <script>alert('legacy summary')</script> <img src=x onerror=alert(2)>

**Root cause:** keep-legacy-cause <img src=x onerror=alert('cause')> [keep-legacy-link](javascript:alert(1))

Resolution: keep-legacy-resolution <a href="javascript:alert(1)">keep-legacy-fix</a>

**Lessons**

- keep-legacy-lesson <iframe src=javascript:alert(1)></iframe>
"""

BAD_YAML = """---
title: [unclosed "><script>alert('yaml')</script>
exploit: !!python/object/apply:os.mkdir ["{canary}"]
---

## Summary

keep-bad-yaml <script>alert(1)</script> <img src=x onerror=alert(1)>
"""

IDS = """---
title: Ids that try to clash
date: 2024-01-11
---

## Summary

keep-id1

keep-id-note[^1] <a id="fn-6-1">keep-id-forged</a> <span id="fnref-6-1">keep-id-forged-back</span>

<ol><li id="fn-6-1">keep-id-forged-item</li></ol>

[^1]: keep-id-note-words

### Facts

<h3 id="main">keep-id-main</h3>

<h2 id="facts-title" name="x">keep-id-facts</h2>

<div id="site-search-q">keep-id-div</div>

<a id="s-summary" name="s-summary">keep-id-anchor</a> <img name="getElementById" src="x.png"> <form name="body"></form>

### Facts

## Facts

keep-id2
"""

LINKS = """---
title: Links that are rewritten
date: 2024-01-12
---

## Summary

keep-l1 <a href="2024-01-01-scripts.md#&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">keep-l1-text</a>

keep-l2 [keep-l2-text](2024-01-01-scripts.md#"><script>alert(2)</script>)

keep-l3 <a href='payload.js" onclick="alert(3)'>keep-l3-text</a>

keep-l4 <img src="payload.js#&quot; onerror=&quot;alert(4)"> keep-l4b

keep-l5 [keep-l5-text](#root-cause" onclick="alert(5))

keep-l6 <a href="#&quot;&gt;&lt;img src=x onerror=alert(6)&gt;">keep-l6-text</a>

keep-l7 [keep-l7-text](2024-01-01-scripts.md "x\\" onclick=\\"alert(7)")
"""

#: Attachments whose names try to leave the attribute their link is written in (see `ATTACHMENT_NAMES`).
ATTACHMENTS = """---
title: Attachments with hostile names
date: 2024-01-14
---

## Summary

keep-a1 ![shot](z%22%20onerror=%22alert(1).png) keep-a1b

keep-a2 <img src="q'%20onerror='alert(2).png"> keep-a2b

keep-a3 [keep-a3-text](x%22%3E%3Cimg%20src=x%20onerror=alert(3)%3E.txt)
"""

ATTACHMENT_NAMES = ('z" onerror="alert(1).png', "q' onerror='alert(2).png", 'x"><img src=x onerror=alert(3)>.txt')

HOSTILE_NAME = """---
title: A hostile file name
date: 2024-01-13
---

## Summary

keep-name1
"""


def hostile_archive(canary: Path) -> dict[str, str]:
    """File name → text of every document, with real tabs where the sources show ⇥."""
    documents = {
        "2024-01-01-scripts.md": SCRIPTS,
        "2024-01-02-handlers.md": HANDLERS,
        "2024-01-03-urls.md": URLS,
        "2024-01-04-embeds.md": EMBEDS,
        "2024-01-05-svg-math.md": FOREIGN,
        "2024-01-06-fences.md": FENCES,
        "2024-01-07-front-matter.md": FRONT_MATTER,
        "2024-01-08-jinja.md": JINJA,
        "2023-12-01-legacy.md": LEGACY,
        "2024-01-10-bad-yaml.md": BAD_YAML.replace("{canary}", str(canary)),
        "2024-01-11-ids.md": IDS,
        "2024-01-12-links.md": LINKS,
        "2024-01-14-attachments.md": ATTACHMENTS,
        "2024-01-13-name'\"><svg onload=alert(1)>.md": HOSTILE_NAME,
    }
    return {name: text.replace(TAB, "\t") for name, text in documents.items()}


#: A script file next to the documents: published under files/, so a content <script src> could reach it.
PAYLOAD = "alert('payload');\n"

COMMENT_MARKER = "a-unique-comment-marker"


@dataclass(frozen=True)
class Built:
    site: Path  # the output folder
    pages: dict[str, Path]  # document file name → its report page
    canary: Path  # a path a YAML exploit would create


def build_hostile_site(root: Path) -> Built:
    """Write the hostile archive under `root`, build it, and map each document to its report page."""
    content = root / "content"
    content.mkdir(parents=True)
    canary = root / "yaml-ran-code"
    for name, text in hostile_archive(canary).items():
        (content / name).write_text(text, encoding="utf-8")
    (content / "payload.js").write_text(PAYLOAD, encoding="utf-8")
    for name in ATTACHMENT_NAMES:
        (content / name).write_bytes(b"GIF89a")
    config = SiteConfig(root=root, content_dir=content, output_dir=root / "_site")
    result = build(config)
    assert result.written, [d.message for d in result.diagnostics]
    incidents = result.loaded.archive.incidents
    pages = {Path(i.content_path).name: config.output_dir / urls.incident_url(i) for i in incidents}
    return Built(config.output_dir, pages, canary)


# ---------------------------------------------------------------------------
# Reading a page as a browser would tokenise it.
# ---------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "frame", "hr", "img", "input", "keygen", "link", "meta", "param",
        "source", "track", "wbr"}
RAW_TEXT = {"script", "style"}


@dataclass(frozen=True)
class Element:
    tag: str
    attrs: tuple[tuple[str, str], ...]  # names lower-case, values with character references decoded
    in_content: bool  # inside the author's text (the report's prose, timeline entries, action items)
    text: str = ""  # a script's or style's text

    def get(self, name: str) -> str | None:
        """The first value of `name`: a browser ignores later duplicates."""
        return next((value for key, value in self.attrs if key == name), None)

    def show(self) -> str:
        attrs = "".join(f" {k}={v!r}" for k, v in self.attrs)
        return f"<{self.tag}{attrs}>" + (f"{self.text[:60]!r}" if self.text else "")


def _is_content_container(tag: str, attrs: dict[str, str], stack: list[tuple[str, dict[str, str]]]) -> bool:
    """Where the templates put author HTML with `| safe`: .prose, a timeline's .what, an action item's cell."""
    classes = attrs.get("class", "").split()
    if (tag == "div" and "prose" in classes) or (tag == "span" and "what" in classes):
        return True
    return tag == "td" and any(t == "table" and "action-items" in a.get("class", "").split() for t, a in stack)


class PageScan(HTMLParser):
    """Elements with their attributes, script texts, visible text, comments, and stray `<`.

    Character references are kept apart (convert_charrefs=False) so that a raw
    `<` left in text, which this tokenizer passed over but a browser might not,
    can be told from an escaped `&lt;`.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.elements: list[Element] = []
        self.visible: list[str] = []
        self.comments: list[str] = []
        self.oddities: list[str] = []  # processing instructions, CDATA, raw `<` in text
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._content_depth: list[bool] = []
        self._raw: tuple[str, list[tuple[str, str]], bool] | None = None  # the open script or style
        self._raw_text: list[str] = []

    def _in_content(self) -> bool:
        return any(self._content_depth)

    def _open(self, tag: str, attrs: list[tuple[str, str | None]], closes: bool) -> None:
        pairs = [(name, value or "") for name, value in attrs]
        in_content = self._in_content()
        if tag in RAW_TEXT and not closes:
            self._raw, self._raw_text = (tag, pairs, in_content), []
            return
        self.elements.append(Element(tag, tuple(pairs), in_content))
        if not closes and tag not in VOID:
            first = dict(reversed(pairs))  # a browser keeps the first of duplicate attributes
            self._content_depth.append(_is_content_container(tag, first, self._stack))
            self._stack.append((tag, first))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, closes=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, closes=True)

    def handle_endtag(self, tag: str) -> None:
        if self._raw is not None and tag == self._raw[0]:
            name, pairs, in_content = self._raw
            self.elements.append(Element(name, tuple(pairs), in_content, "".join(self._raw_text)))
            self._raw = None
            return
        if any(t == tag for t, _ in self._stack):
            while self._stack:
                self._content_depth.pop()
                if self._stack.pop()[0] == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self._raw is not None:
            self._raw_text.append(data)
            return
        self.visible.append(data)
        if re.search(r"<[A-Za-z/!?]", data):
            self.oddities.append(f"raw markup left in text: {data[:80]!r}")

    def handle_entityref(self, name: str) -> None:
        self.visible.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.visible.append(html.unescape(f"&#{name};"))

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_pi(self, data: str) -> None:
        self.oddities.append(f"processing instruction <?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.oddities.append(f"declaration <![{data}]>")

    def close(self) -> None:
        super().close()
        if self._raw is not None:  # an unterminated script still runs
            self.handle_endtag(self._raw[0])

    @property
    def text(self) -> str:
        return "".join(self.visible)


def scan(markup_text: str) -> PageScan:
    parser = PageScan()
    parser.feed(markup_text)
    parser.close()
    return parser


# ---------------------------------------------------------------------------
# The trusted theme: what its templates may put on a page.
# ---------------------------------------------------------------------------

WILD = "\ue000"  # stands for a `{{ … }}` expression: any text the theme computes


def _pattern(template_value: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in template_value.split(WILD)), re.S)


@dataclass(frozen=True)
class TemplateTag:
    tag: str
    attrs: dict[str, str]  # values as written, with WILD for expressions

    def matches(self, element: Element) -> bool:
        """The element could have come from this tag: same name, and only attributes the tag writes."""
        return element.tag == self.tag and all(
            name in self.attrs and _pattern(self.attrs[name]).fullmatch(value) for name, value in element.attrs
        )


@dataclass(frozen=True)
class Theme:
    tags: tuple[TemplateTag, ...]
    inline_scripts: tuple[re.Pattern[str], ...]
    styles: tuple[re.Pattern[str], ...]
    comments: tuple[re.Pattern[str], ...]

    def emits(self, element: Element) -> bool:
        return any(t.matches(element) for t in self.tags)

    def literal(self, element: Element, name: str, value: str) -> bool:
        """The theme writes exactly this value here itself, with nothing computed in it (`<link href="data:,">`)."""
        return any(t.tag == element.tag and t.attrs.get(name) == value and WILD not in value for t in self.tags)


def _without_jinja(source: str) -> str:
    """Template source as HTML: expressions become WILD, statements and comments vanish.

    Dropping `{% if %}` keeps conditional attributes, which `TemplateTag.matches`
    treats as optional anyway.
    """
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}", "", source, flags=re.S)
    return re.sub(r"\{\{.*?\}\}", WILD, source, flags=re.S)


def load_theme(folder: Path = THEME) -> Theme:
    tags: list[TemplateTag] = []
    scripts: list[re.Pattern[str]] = []
    styles: list[re.Pattern[str]] = []
    comments: list[re.Pattern[str]] = []
    for template in sorted(folder.rglob("*.html")):
        page = scan(_without_jinja(template.read_text(encoding="utf-8")))
        for element in page.elements:
            tags.append(TemplateTag(element.tag, dict(reversed(element.attrs))))
            if element.tag == "script" and element.get("src") is None:
                scripts.append(_pattern(element.text.strip()))
            if element.tag == "style":
                styles.append(_pattern(element.text.strip()))
        comments += [_pattern(c) for c in page.comments]
    assert tags, f"no templates under {folder}"
    return Theme(tuple(tags), tuple(scripts), tuple(styles), tuple(comments))


# ---------------------------------------------------------------------------
# The rules.
# ---------------------------------------------------------------------------

#: Attributes a browser follows, fetches or navigates to (SVG animation's to/from/values can set an href).
#: `cite` and `longdesc` are followed by no browser, but the site promises that every URL keeps a safe scheme.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "codebase",
                  "lowsrc", "dynsrc", "manifest", "ping", "icon", "to", "from", "values", "cite", "longdesc"}
#: Elements that embed or navigate, or change how the page or its links are read.
FORBIDDEN = {"iframe", "object", "embed", "form", "base", "frame", "frameset", "applet", "portal", "link", "style",
             "noembed", "isindex"}
SAFE_DATA_IMAGE = re.compile(r"data:image/(png|gif|jpeg|webp)[;,]")
UNSAFE_CSS = re.compile(r"url\(|expression\(|javascript:|vbscript:|@import|behavior:|-moz-binding|image-set\(")


def browser_normalised(url: str) -> str:
    """A URL as a browser's scheme check sees it.

    Values arrive with character references already decoded (the parser does
    it, as a browser's tokenizer does); the URL parser then drops ASCII
    whitespace and control characters, and schemes are case-insensitive.
    """
    return re.sub(r"[\x00-\x20\x7f]", "", url).lower()


def dangerous_url(url: str) -> bool:
    normal = browser_normalised(url)
    if normal.startswith(("javascript:", "vbscript:", "livescript:")):
        return True
    return normal.startswith("data:") and not SAFE_DATA_IMAGE.match(normal)


def local_file(page: Path, site: Path, url: str) -> Path | None:
    """The built file a relative URL on `page` names, if it exists inside the site."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    target = (page.parent / unquote(parts.path)).resolve()
    return target if target.is_file() and target.is_relative_to(site.resolve()) else None


def _published_content_file(site: Path, target: Path) -> bool:
    """A file copied verbatim from the content folder: the author's, so never a script the theme runs."""
    return target.is_relative_to((site / urls.FILES_DIR).resolve())


def script_problems(element: Element, page: Path, site: Path, theme: Theme) -> list[str]:
    if element.tag != "script":
        return []
    found = ["script inside the author's text"] if element.in_content else []
    src = element.get("src")
    if src is None:
        text = element.text.strip()
        if not (text and any(p.fullmatch(text) for p in theme.inline_scripts)):
            found.append("inline script the theme does not write")
        return found
    target = local_file(page, site, src)
    if target is None:
        found.append(f"script from outside the site: {src!r}")
    elif _published_content_file(site, target):
        found.append(f"script from the content folder: {src!r}")
    return found


def attribute_problems(element: Element, theme: Theme) -> list[str]:
    found = []
    for name, value in element.attrs:
        if name.startswith("on"):
            found.append(f"event handler {name}")
        elif name == "srcdoc":
            found.append("srcdoc: a document in an attribute")
        elif (name in URL_ATTRIBUTES or name.endswith(":href")) and dangerous_url(value):
            if not theme.literal(element, name, value):
                found.append(f"dangerous URL in {name}: {value!r}")
        elif name == "srcset" and any(dangerous_url(c.split()[0]) for c in value.split(",") if c.strip()):
            found.append(f"dangerous URL in srcset: {value!r}")
        elif name == "style" and UNSAFE_CSS.search(browser_normalised(value)):
            found.append(f"style that loads or runs: {value!r}")
    return found


def element_problems(element: Element, page: Path, site: Path, theme: Theme) -> list[str]:
    tag = element.tag
    forbidden = tag in FORBIDDEN or (tag == "meta" and element.get("http-equiv") is not None)
    if forbidden and (element.in_content or not theme.emits(element)):
        return [f"<{tag}> the theme does not write"]
    found = []
    if tag == "link":  # even the theme's links may only fetch files of this site
        href = element.get("href") or ""
        if local_file(page, site, href) is None and not theme.literal(element, "href", href):
            found.append(f"link to outside the site: {href!r}")
    if tag == "style" and not any(p.fullmatch(element.text.strip()) for p in theme.styles):
        found.append("style text the theme does not write")
    if element.in_content and element.get("name") is not None:
        found.append("name attribute in the author's text (DOM clobbering)")
    return found


#: The ids hindsite gives the author's text: its headings' and its footnotes' (`fn-6-1`, `fnref-6-1:1`).
CONTENT_ID = re.compile(r"h-.*|fn(?:ref)?-[0-9a-z]+-[0-9]+(?::[0-9]+)?")


def id_problems(elements: list[Element]) -> list[str]:
    """Ids are unique, and the author's are prefixed so they can never take a theme's id."""
    counts = Counter(e.get("id") for e in elements if e.get("id") is not None)
    found = [f"id {i!r} appears {n} times" for i, n in counts.items() if n > 1]
    found += [f"unprefixed id {e.get('id')!r} in the author's text" for e in elements
              if e.in_content and e.get("id") is not None and not CONTENT_ID.fullmatch(str(e.get("id")))]
    return found


def page_violations(page: Path, site: Path, theme: Theme) -> list[str]:
    """Everything on one built page that could run, load or navigate, as `page: element: problem`."""
    parsed = scan(page.read_text(encoding="utf-8"))
    where = page.relative_to(site).as_posix()
    found = []
    for element in parsed.elements:
        problems = (script_problems(element, page, site, theme) + attribute_problems(element, theme)
                    + element_problems(element, page, site, theme))
        found += [f"{where}: {element.show()}: {p}" for p in problems]
    found += [f"{where}: {p}" for p in id_problems(parsed.elements)]
    found += [f"{where}: comment the theme does not write: {c!r}" for c in parsed.comments
              if not any(p.fullmatch(c) for p in theme.comments)]
    found += [f"{where}: {odd}" for odd in parsed.oddities]
    return found


#: Attributes and elements of Atom, sitemaps and SVG whose value a reader follows.
XML_URL_ATTRIBUTES = {"href", "src", "uri", "{http://www.w3.org/1999/xlink}href",
                      "{http://www.w3.org/XML/1998/namespace}base"}
XML_URL_ELEMENTS = {"loc", "id", "uri", "icon", "logo"}


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def xml_violations(path: Path, site: Path, theme: Theme) -> list[str]:
    """A feed, sitemap or SVG a browser may open as a document: no script, no handler, no dangerous link."""
    raw = path.read_text(encoding="utf-8")
    where = path.relative_to(site).as_posix()
    found = []
    if re.search(r"<script", raw, re.I):
        found.append(f"{where}: a <script element")
    if re.search("javascript:", html.unescape(raw), re.I):
        found.append(f"{where}: javascript: in the text")
    for element in ET.fromstring(raw).iter():
        name = _local(element.tag)
        if name == "script":
            found.append(f"{where}: <{name}> element")
        for attr, value in element.attrib.items():
            if _local(attr).lower().startswith("on"):
                found.append(f"{where}: <{name}> event handler {attr}")
            if attr in XML_URL_ATTRIBUTES and dangerous_url(value):
                found.append(f"{where}: <{name}> dangerous URL in {attr}: {value!r}")
        if name in XML_URL_ELEMENTS and dangerous_url(element.text or ""):
            found.append(f"{where}: <{name}> dangerous URL: {element.text!r}")
        if element.get("type") in ("html", "xhtml"):  # Atom text a feed reader renders as HTML
            inner = (element.text or "") + "".join(ET.tostring(child, encoding="unicode") for child in element)
            found += [f"{where}: <{name}> {p}" for p in fragment_violations(inner, theme)]
    return found


def fragment_violations(fragment: str, theme: Theme) -> list[str]:
    """An HTML fragment outside any page (Atom html content): nothing in it may run or load."""
    parsed = scan(fragment)
    found = []
    for element in parsed.elements:
        problems = attribute_problems(element, theme)
        if element.tag == "script" or element.tag in FORBIDDEN:
            problems.append(f"<{element.tag}>")
        found += [f"{element.show()}: {p}" for p in problems]
    return found


def site_violations(site: Path, theme: Theme) -> list[str]:
    found: list[str] = []
    for page in sorted(site.rglob("*.html")):
        found += page_violations(page, site, theme)
    for document in sorted([*site.rglob("*.xml"), *site.rglob("*.svg")]):
        if not _published_content_file(site, document.resolve()):
            found += xml_violations(document, site, theme)
    return found


#: A data file the pages load as a script: one assignment or one call, of JSON.
DATA_SCRIPT = re.compile(r"(?:window\.(?P<global>\w+) = (?P<value>.*);|(?P<call>\w+)\((?P<args>.*)\);)\s*", re.S)


def data_script_problems(path: Path, site: Path) -> list[str]:
    """Content reaches these files, and pages run them: they must be inert data for hindsite.js.

    JSON is a JavaScript literal, so a file that is a name plus valid JSON can do
    nothing else; `</` never appears, so none could close a script block either.
    """
    where = path.relative_to(site).as_posix()
    source = path.read_text(encoding="utf-8")
    match = DATA_SCRIPT.fullmatch(source)
    if match is None:
        return [f"{where}: not one assignment or call of JSON"]
    try:
        json.loads(match["value"] if match["global"] else f"[{match['args']}]")
    except ValueError as exc:
        return [f"{where}: not JSON: {exc}"]
    name = match["global"] or match["call"]
    theme_script = (THEME / "static" / "hindsite.js").read_text(encoding="utf-8")
    found = [] if name in theme_script else [f"{where}: {name} is not a name the theme's script defines"]
    return found + ([f"{where}: contains </"] if "</" in source else [])


def generated_scripts(site: Path) -> list[Path]:
    """Every .js the build wrote itself: not the theme's static files, not the author's attachments."""
    skip = ((site / urls.STATIC_DIR).resolve(), (site / urls.FILES_DIR).resolve())
    return [p for p in sorted(site.rglob("*.js")) if not p.resolve().is_relative_to(skip[0])
            and not p.resolve().is_relative_to(skip[1])]


# ---------------------------------------------------------------------------
# Fixtures and tests.
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def theme() -> Theme:
    return load_theme()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_hostile_site(tmp_path_factory.mktemp("hostile"))


def test_the_archive_is_built_in_full(hostile: Built) -> None:
    # Every document must have a page of its own, or its attacks were never tried.
    assert set(hostile.pages) == set(hostile_archive(hostile.canary))
    assert all(page.is_file() for page in hostile.pages.values())
    assert len(list(hostile.site.rglob("*.html"))) > len(hostile.pages)


def test_no_page_can_run_or_load_anything(hostile: Built, theme: Theme) -> None:
    assert site_violations(hostile.site, theme) == []


def test_data_files_the_pages_run_are_inert(hostile: Built) -> None:
    scripts = generated_scripts(hostile.site)
    assert len(scripts) > 2  # rows.js and the search index at least
    assert [p for script in scripts for p in data_script_problems(script, hostile.site)] == []


@pytest.mark.parametrize("source", [
    'window.hindsiteRows = [1]; alert(1);\n', 'hindsiteSearchDocs(0, [alert(1)]);\n', 'evil([1]);\n',
    'window.hindsiteRows = ["</script><script>alert(1)"];\n',
])
def test_the_data_file_check_rejects_code(tmp_path: Path, source: str) -> None:
    script = tmp_path / "rows.js"
    script.write_text(source, encoding="utf-8")
    assert data_script_problems(script, tmp_path)


def test_the_feed_check_finds_links_and_html_that_run(tmp_path: Path, theme: Theme) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href=" JaVa&#9;script:alert(1)"/>'
                    '<summary type="html">&lt;img src=x onerror=alert(1)&gt;</summary></entry></feed>',
                    encoding="utf-8")
    found = "\n".join(xml_violations(feed, tmp_path, theme))
    assert "dangerous URL in href" in found and "event handler onerror" in found


def test_yaml_tags_never_run(hostile: Built) -> None:
    assert not hostile.canary.exists()


def test_the_words_around_hostile_markup_reach_the_page(hostile: Built) -> None:
    lost = {}
    for name, source in hostile_archive(hostile.canary).items():
        text = scan(hostile.pages[name].read_text(encoding="utf-8")).text
        missing = [word for word in re.findall(r"keep-[\w-]+", source) if word not in text]
        if missing:
            lost[name] = missing
    assert lost == {}


def _jinja_evaluated(text: str) -> list[str]:
    """Traces of the probes having been rendered as Jinja rather than shown."""
    return [trace for trace in ("jinja-probe 49 end", "loop-bodyloop-body", "SiteConfig(")
            if trace in text]


def test_jinja_in_content_is_shown_never_evaluated(hostile: Built) -> None:
    page = hostile.pages["2024-01-08-jinja.md"]
    text = scan(page.read_text(encoding="utf-8")).text
    for literal in ("jinja-probe {{ 7*7 }} end", "{% for x in range(3) %}loop-body{% endfor %}", "{{ config }}",
                    "{{ site }}", "{{ self }}", "{# a jinja comment #}", "{%raw%}x{%endraw%}",
                    "keep-jinja-summary jinja-probe {{ 7*7 }} end {{ config }}",
                    "{{ config }} jinja-probe {{ 7*7 }} end"):
        assert literal in text, literal
    outputs = [p for p in hostile.site.rglob("*") if p.suffix in (".html", ".xml", ".json", ".js", ".csv")]
    evaluated = {p.relative_to(hostile.site).as_posix(): _jinja_evaluated(html.unescape(p.read_text(encoding="utf-8")))
                 for p in outputs}
    assert {path: traces for path, traces in evaluated.items() if traces} == {}


def test_jinja_in_front_matter_titles_is_shown_literally(hostile: Built) -> None:
    # The title is front-matter too: it must read as written, on its page and in its <title>.
    text = scan(hostile.pages["2024-01-08-jinja.md"].read_text(encoding="utf-8")).text
    shown = [line.strip() for line in text.splitlines() if "keep-jinja-title" in line]  # <title> and <h1>
    assert len(shown) >= 2 and all("jinja-probe {{ 7*7 }} end" in line for line in shown), shown


def test_jinja_probe_detects_evaluation() -> None:
    assert _jinja_evaluated("keep-j1 jinja-probe 49 end") and _jinja_evaluated("loop-bodyloop-bodyloop-body")
    assert not _jinja_evaluated("jinja-probe {{ 7*7 }} end {% for x in range(3) %}loop-body{% endfor %}")


def test_html_comments_are_not_published(hostile: Built) -> None:
    # Authors hide notes in comments; no page or feed may show them, as markup or as text.
    published = {}
    for document in [*hostile.site.rglob("*.html"), *hostile.site.rglob("*.xml")]:
        text = document.read_text(encoding="utf-8")
        if COMMENT_MARKER in text:
            line = next(line for line in text.splitlines() if COMMENT_MARKER in line)
            published[document.relative_to(hostile.site).as_posix()] = line.strip()
    assert published == {}


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " \t\njavascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "\x01javascript:x", "vbscript:msgbox(1)", "data:text/html,<script>",
    "DATA:text/html;base64,PHNjcmlwdD4=", "data:image/svg+xml,<svg onload=alert(1)>", "data:,",
])
def test_dangerous_urls_are_recognised(url: str) -> None:
    assert dangerous_url(url)


# Percent-encoding is not decoded in a scheme: a browser reads `%6Aavascript:` as a relative path.
@pytest.mark.parametrize("url", [
    "https://example.com/", "../incidents/x.html#h-a", "mailto:a@example.com", "data:image/png;base64,iVBOR",
    "%6Aavascript:alert(1)", "javascript%3Aalert(1)", "#javascript:x",
])
def test_harmless_urls_are_not_flagged(url: str) -> None:
    assert not dangerous_url(url)


def test_the_scanner_finds_every_kind_of_attack_when_sanitising_is_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, theme: Theme
) -> None:
    # markup.sanitise cleans what the parser renders (Parsed.html and render_inline look it up at call time), and
    # the link rewriter cleans again as it rewrites (views looks url_rewriter up at call time): replacing both lets
    # every document's raw HTML through to the pages.
    monkeypatch.setattr(markup, "sanitise", lambda rendered: rendered)
    monkeypatch.setattr(views, "url_rewriter", lambda new_url: lambda rendered: rendered)
    unsafe = build_hostile_site(tmp_path)
    assert "<script>alert(" in unsafe.pages["2024-01-01-scripts.md"].read_text(encoding="utf-8")
    found = "\n".join(site_violations(unsafe.site, theme))
    for kind in ("inline script the theme does not write", "script from outside the site",
                 "script from the content folder", "event handler onerror", "event handler onclick",
                 "event handler onload", "dangerous URL in href", "dangerous URL in src", "dangerous URL in action",
                 "dangerous URL in formaction", "dangerous URL in xlink:href", "dangerous URL in data",
                 "dangerous URL in poster", "srcdoc", "<iframe>", "<object>", "<embed>", "<form>", "<base>",
                 "<meta>", "<link>", "<style>", "<frame", "style that loads or runs", "unprefixed id",
                 "appears 2 times", "name attribute", "comment the theme does not write"):
        assert kind in found, kind
    assert any(COMMENT_MARKER in p.read_text(encoding="utf-8") for p in unsafe.pages.values())
