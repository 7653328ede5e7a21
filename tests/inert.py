"""Oracles for rendered output: does anything from data act where it lands? And the strings that try.

- :func:`markdown_problems`: live mentions, references, autolinks and links, raw HTML, entities,
  bidirectional controls, control characters, table rows whose unescaped pipes split extra cells;
- :func:`terminal_problems`: control characters (but line breaks and tabs) and bidirectional controls;
- :func:`log_problems`: a line the Actions runner would take as a workflow command carrying ``INJECTED``,
  or any ``##[``.

Payloads carry the word ``INJECTED`` so an oracle can tell a command that data started from mlgate's own.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

# what attackers write: each a distinct way to make text act
FRAGMENTS = (
    "@someone",
    "@org/team",
    " @a-b ",
    "#123",
    "GH-42",
    "owner/repo#7",
    "x|y",
    "x\\|y",
    "\\",
    "\\\\|",
    "`",
    "``",
    "<img src=x onerror=alert(1)>",
    "<script>INJECTED</script>",
    "</details>",
    "<!-- x -->",
    "&#64;someone",
    "&commat;someone",
    "&#x23;12",
    "&num;12",
    "[click](https://evil.example)",
    "![p](https://evil.example/p.png)",
    "https://evil.example",
    "www.evil.example",
    "mail@evil.example",
    "*b*",
    "_i_",
    "~~s~~",
    "\u202e",
    "\u2066",
    "\u200f",
    "\u061c",
    "\x1b[31m",
    "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07",
    "\x07",
    "\x9b31m",
    "\x9d",
    "\x85",
    "\u2028",
    "\r",
    "\n",
    "\t",
    "\x00",
    "\x7f",
    "\n::error::INJECTED",
    "\r::warning title=INJECTED::x",
    "::add-mask::INJECTED",
    "::stop-commands::INJECTED",
    "##[group]INJECTED",
    "##[error]INJECTED",
    "  ::error::INJECTED",
    "\n  \t::notice::INJECTED",
    "%0A::error::INJECTED",
    "::",
    "##[",
    ":",
    "#",
    "@",
    "|",
)


def hostile_text(max_parts: int = 6) -> st.SearchStrategy[str]:
    """Strings glued from attack fragments and arbitrary text (any code point, controls included)."""
    part = st.sampled_from(FRAGMENTS) | st.text(max_size=4)
    return st.lists(part, min_size=1, max_size=max_parts).map("".join)


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
OUR_HTML = re.compile(r"</?(?:sub|details|summary)>|<!-- mlgate:[^>]*-->")


def _unescaped(text: str) -> str:
    """``text`` with every backslash-escaped pair blanked (``\\|`` is not a pipe, ``\\\\`` not a backslash)."""
    return re.sub(r"\\.", "  ", text, flags=re.S)


def markdown_problems(text: str) -> list[str]:
    """What in ``text`` would act on GitHub (an empty list when nothing does)."""
    problems = []
    if BIDI.search(text):
        problems.append("bidirectional control")
    if CONTROL.search(text.replace("\r\n", "\n")):
        problems.append("control character")
    plain = _unescaped(text)
    fences = re.findall(r"^```", plain, re.M)
    if len(fences) % 2:
        problems.append("unclosed code fence")
    outside_code = re.sub(r"^```text\n.*?^```$", "", plain, flags=re.M | re.S)  # nor in fenced blocks
    outside_code = re.sub(r"(?<!`)`[^`\n]+`(?!`)", "``", outside_code)  # GitHub links nothing inside code spans
    checks = {
        "mention": r"(?<![\w`/])@[A-Za-z0-9]",
        "reference": r"(?<![\w&])#[0-9]|(?i:\bGH-[0-9])|\w/\w+#[0-9]",
        "autolink": r"(?i)\bhttps?://|\bwww\.",
        "link": r"\]\(|\]\[",
        "entity": r"&(?!amp;|lt;|gt;)[#A-Za-z]",
        "code fence": r"^\s*```(?!text$)\S",
    }
    for name, pattern in checks.items():
        if found := re.search(pattern, outside_code, re.M):
            problems.append(f"{name}: {outside_code[max(found.start() - 30, 0) : found.end() + 10]!r}")
    if re.search(r"<[A-Za-z/!?]", OUR_HTML.sub("", outside_code)):
        problems.append("raw HTML")
    problems += _table_problems(plain)
    return problems


def _table_problems(plain: str) -> list[str]:
    problems, width = [], None
    for line in plain.split("\n"):
        if not line.startswith("|"):
            width = None
            continue
        cells = line.count("|")
        if width is None:
            width = cells
        elif cells != width:
            problems.append(f"table row with {cells - 1} cells instead of {width - 1}: {line[:80]!r}")
    return problems


def terminal_problems(text: str) -> list[str]:
    """Control characters (line breaks and tabs allowed) and bidirectional controls in terminal output."""
    found = sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(text) + BIDI.findall(text)} | set())
    return [f"control character {c}" for c in found]


def log_problems(text: str) -> list[str]:
    """Lines of ``text`` that the Actions runner or its log viewer would act on because of data."""
    problems = []
    for line in re.split(r"\r\n|\r|\n", text):
        stripped = line.strip()
        if "##[" in line:
            problems.append(f"##[ in {line[:80]!r}")
        # mlgate's own commands carry data only escaped (``%3A``), after their own name and properties
        if re.match(r"::[\w-]+::INJECTED|::[\w-]+ title=INJECTED::|::INJECTED", stripped):
            problems.append(f"workflow command from data: {line[:80]!r}")
    return problems
