"""Page chrome: the lines a scraped page carries around an article (navigation, share rows,
counters, comment and sign-up widgets, ads, read-more links, cookie banners, picture credits,
syndication disclaimers, copyright lines, separators).

Every rule is a generic pattern over a whole line (never a substring edit of a sentence), so an
article sentence is either kept verbatim or, if the whole line is chrome, dropped.
"""

from __future__ import annotations

import re

# The end of a finished sentence: final punctuation, maybe inside closing quotes or brackets.
TERMINAL = re.compile(r"[.!?…:;][\"'”’)\]]*$|[\"”’)]$")

_CHROME = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # page anchors and navigation
        r"(top|bottom|end) of (the )?(page|article)",
        r"(back|return|scroll|go) to (the )?top",
        r"skip to (the )?(main )?(content|navigation|article)",
        # counters: "58 views0 comments", "12 Comments", "1.2k shares"
        r"(\d[\d.,]*\s*[km]?\s*(views?|comments?|shares?|likes?|reads?|reactions?)\s*)+",
        # comment widgets
        r"(leave|post|add|write|view|show|load|hide|read|see) (a |an |all |more |the )?"
        r"(reply|comments?|responses?)( \(\d+\))?",
        r"comments?|cancel reply|reply|join the (conversation|discussion)",
        r"your email address will not be published.*",
        # share rows
        r"(share|tweet|email|print|copy link|save|pin it)( (this|the) (article|story|page|post))?"
        r"( (on|via|to|with) [\w ]{1,20})?",
        r"((share|facebook|twitter|linkedin|email|whatsapp|reddit|pinterest|telegram|print|"
        r"copy link|flipboard|messenger|x)[\s,|/•·]*){2,}",
        # ads and continuation prompts
        r"(advertisement|advertising|sponsored( content)?|promoted( content)?|paid content|ad)",
        r"(story|article) continues (below|after)( this)?( advertisement| ad)?",
        r"continue reading( below| the (main )?story)?|scroll (down )?to continue.*",
        # read-more / related links
        r"(read|see|watch|listen) (more|also|next|now)\b.{0,150}",
        r"(related|recommended|more from [\w .'’-]{1,40}|most (read|popular|viewed)|"
        r"trending( now)?|you (may|might) also like|also read|don'?t miss|further reading|"
        r"related (articles|stories|coverage|content|topics))(\s*:.{0,150})?",
        # subscribe and account prompts
        r"(subscribe|sign up|sign in|log in|register|join)( now| today| here| for free)?",
        r"(subscribe|sign up|sign in|join|get)\b.{0,120}\bnewsletters?\b.{0,80}",
        # cookie banners
        r"(we|this (web)?site|our (web)?site) uses? cookies.*",
        r"(accept|reject|manage) (all )?cookies.*|(cookie|privacy) (policy|settings|preferences)",
        # picture credits and captions markers
        r"\(?(photo|image|picture|photograph|video|graphic|illustration|file photo|"
        r"photo illustration|main image|top image|credit)s?( credits?)?\s*[:|/]\s*[^.!?]{1,60}\)?",
        r"\(?(photo|image|picture|photograph|video|illustration)s? by [^.!?]{1,60}\)?",
        # syndication disclaimers
        r"\(?[^()]{0,200}\b(syndicated feed|not been edited by|wire agency feed|"
        r"auto-?generated from)\b[^()]{0,200}\)?",
        # copyright and bare links
        r"(copyright|©|\(c\))\s.{0,150}|all rights reserved\.?",
        r"(https?://|www\.)\S+",
        # separator lines: "***", "___", "—"
        r"[\W_]+",
    )
]
_CHROME_MAX_WORDS = 30  # a longer line is article text whatever it starts with
# "Charley Gallay via Getty Images", "AFP/Getty Images": short, no final full stop
_AGENCY_CREDIT = re.compile(r"\b(getty images|shutterstock|alamy|ap photo|afp photo)\b", re.IGNORECASE)
_CREDIT_MAX_WORDS = 8

# A line whose link was stripped: "For more AP coverage of the UN General Assembly, visit".
_DANGLING_LINK = re.compile(
    r"(for (more|the latest|full|updates|all)|follow|click|tap|to (read|see|watch|learn|find|get)"
    r"|read|watch|listen|download|find|get|more|see|visit)\b.*"
    r"\b(visit|see|at|here|go to|via|on|to|link)\s*:?",
    re.IGNORECASE,
)
# Sign-up widgets pasted in as one long line: several of these markers in one paragraph.
_WIDGET_MARKERS = tuple(
    "newsletter|sign up|signing up|privacy notice|privacy policy|email address|terms of service|"
    "recaptcha|please enter|please try again|subscribe|skip past|something went wrong|{{".split("|")
)
_WIDGET_MIN_MARKERS = 3


def is_chrome_line(line: str) -> bool:
    """True when a whole line is page chrome (navigation, share row, credit, disclaimer...)."""
    line = " ".join(line.split())
    if not line:
        return True
    lowered = line.casefold()
    if sum(marker in lowered for marker in _WIDGET_MARKERS) >= _WIDGET_MIN_MARKERS:
        return True
    if len(line.split()) > _CHROME_MAX_WORDS:
        return False
    if any(pattern.fullmatch(line) for pattern in _CHROME):
        return True
    if _AGENCY_CREDIT.search(line) and len(line.split()) <= _CREDIT_MAX_WORDS:
        return not line.endswith((".", "!", "?"))
    return not TERMINAL.search(line) and bool(_DANGLING_LINK.fullmatch(line))
