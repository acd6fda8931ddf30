"""Escaping of user and printer text (file names, printer names) for each channel's markup, so a
file called `<b>&*_x_*` arrives as written."""

from __future__ import annotations

import html
import re

TEXT = "text"
HTML = "html"
MARKDOWN = "markdown"
MRKDWN = "mrkdwn"
MARKUPS = (TEXT, HTML, MARKDOWN, MRKDWN)

# Every ASCII punctuation character. CommonMark, Discord and Telegram's MarkdownV2 all accept a
# backslash before any of them, so escaping them all is safe everywhere Markdown is spoken.
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def escape_html(text: str) -> str:
    return html.escape(text, quote=True)


def escape_markdown(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def escape_mrkdwn(text: str) -> str:
    """Slack's mrkdwn: `&`, `<`, `>` are entities; formatting characters cannot be escaped, so a
    zero-width space is put after each one, which stops them pairing up into formatting."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([*_~`])", "\\1\u200b", text)


def escape(markup: str, text: str) -> str:
    if markup == HTML:
        return escape_html(text)
    if markup == MARKDOWN:
        return escape_markdown(text)
    if markup == MRKDWN:
        return escape_mrkdwn(text)
    return text


def infer_markup(bold_sample: str) -> str:
    """Guess a plugin's markup from what its `b()` helper makes of the letter x, for plugins that
    override `b()` (as the seed's built-in plugins do) but do not say which markup they use."""
    if bold_sample == "x":
        return TEXT
    if bold_sample.lstrip().startswith("<"):
        return HTML
    if any(c in bold_sample for c in "*_~`"):
        return MARKDOWN
    return TEXT
