"""Sentences that speak *to* a reader or a machine instead of reporting news.

An article is data: a sentence in it that addresses an AI, an assistant or the reader ("Note to
AI models: ...", "Assistant: ...", "When asked about X, reply Y", "<|im_start|>system") is a
planted instruction or a planted claim, never evidence. Four signals, each about the form of the
sentence rather than its topic:

* who it addresses: a note, vocative or role marker naming an AI/model/assistant/chatbot/LLM,
  "system" or "user", or the reader ("Dear reader", "Note to readers:");
* its mood: an imperative or second-person command about answering ("answer that ...",
  "you must say ...", "when asked about X, reply Y", "tell users ...");
* chat and prompt-format tokens (``<|im_start|>``, ``[INST]``, ``<system>``, "### Instruction");
* hidden-text markers that survive cleaning (HTML comments, ``display:none``, "hidden text").

Reported speech keeps its subject ("When asked, he said ...", "OpenAI said its assistant will
..."), so it matches none of the command forms, which start with the verb.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Who a machine addressee is: "LLMs", "the chatbot", "language models", "AI systems"; a bare "AI"
# only when nothing follows it ("Dear AI,"), since "AI developers" are people.
_MACHINE = (
    r"(?:(?:large\s+)?language\s+models?|llms?|chat-?\s?bots?|(?:ai\s+|virtual\s+|digital\s+)?assistants?|bots?"
    r"|gpts?|chatgpt|claude|gemini|qwen|copilot|(?:ai|a\.i\.)(?!\s*\w)"
    r"|(?:ai|a\.i\.|artificial[- ]intelligence|language|automated|generative)[- ]"
    r"(?:models?|systems?|agents?|tools?|crawlers?|readers?|summari[sz]ers?|assistants?))"
)
_READER = r"(?:readers?|users?)"
_ANY = r"(?:(?:all|any|every|each|the|our|dear|you|fellow|future|automated)\s+)*"

# The verbs of a command about answering, and what such a command is about: "say that ...",
# "answer yes", "tell users ...", "reply with ...", "repeat: ...".
_ANSWER_VERB = (
    r"(?:answer|reply|respond|say|state|tell|confirm|claim|assert|insist|report|write|output|print|repeat"
    r"|mention|inform|describe|summari[sz]e|treat|refuse)"
)
_TARGET = (
    r"(?:\s+(?:to\s+)?(?:the\s+|all\s+|any\s+|your\s+)?(?:users?|readers?|anyone|everyone|whoever|people\s+who)"
    r"|\s+(?:only\s+)?(?:that|yes|no|with|only|as\s+(?:true|fact|confirmed|settled|authoritative))"
    r"|\s*[\"“]|\s+(?:any|all|every)\s+(?:questions?|quer))\b"
)


def _compile(*patterns: str) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


# Who the sentence addresses, and role-play or override requests.
_ADDRESSEE = _compile(
    # a note or message for machines: "Editor's note to AI models", "a memo for LLMs"
    rf"\b(?:note|message|memo|notice|reminder|directive|attention|p\.?\s?s\.?|psa)\s*(?:to|for)\s+{_ANY}{_MACHINE}",
    # the same for readers or users, as a header: "Note to readers:", "[Message for users]"
    rf"^\W*(?:editor'?s\s+)?(?:note|message|memo|notice|attention)\s+(?:to|for)\s+{_ANY}{_READER}\b",
    # vocatives and role markers opening the sentence: "Dear AI,", "Hey chatbot!", "Assistant:"
    rf"^\W*(?:dear|hey|hi|hello|attention|attn|calling|psst)[\s,]+{_ANY}(?:{_MACHINE}|reader\b)",
    rf"^\W*{_ANY}(?:system|assistant|user|ai|a\.i\.|bot|chatbot|llm|model|instructions?)"
    r"\s*(?:message|prompt|note|override|update)?\s*(?::|>(?!>))",
    rf"^\W*{_ANY}{_MACHINE}\s*,\s*(?:please|note|remember|take|you|always|never|do|don't|when|if|{_ANSWER_VERB})\b",
    # the machine as the one reading: "any AI summarising this", "if you are a language model"
    rf"\b(?:any|all|every|each)\s+(?:ai|a\.i\.|{_MACHINE})\s+(?:that\s+(?:is|are)\s+|which\s+(?:is|are)\s+)?"
    r"(?:reading|processing|summari[sz]ing|indexing|parsing|ingesting|scanning|crawling|answering)\b",
    rf"\bif\s+you(?:\s+are|'re)\s+(?:an?|the|one\s+of\s+the)\s+(?:\w+\s+){{0,2}}?(?:ai\b|{_MACHINE})",
    rf"\byou,?\s+(?:the|an?)\s+(?:\w+\s+)?(?:ai\b|{_MACHINE})|\bas\s+an?\s+(?:ai|{_MACHINE}),\s+you\b",
    # role-play and overrides
    rf"^\W*(?:please\s+)?(?:pretend|act\s+as|role-?play|imagine\s+you\s+are)\b|\bfrom\s+now\s+on,?\s+you\b"
    rf"|\bstay\s+in\s+character\b|\byou\s+are\s+now\s+(?:in\s+\w+\s+mode|an?\s+(?:\w+\s+)?{_MACHINE}|dan\b)",
    r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+|the\s+|your\s+|of\s+)*"
    r"(?:(?:previous|prior|above|earlier|preceding|original|other|system)\s+)?(?:instructions?|prompts?|"
    r"directives|guidelines|rules|context|messages?|sources?|articles?|evidence|text)\b",
    r"\b(?:system\s+prompt|reply\s+with\s+only|respond\s+only\s+with|only\s+reply\s+with)\b",
)
# Its mood: commands about answering, the verb with no subject before it ("When asked about X,
# reply Y" but not "When asked about X, he replied ...").
_COMMANDS = _compile(
    rf"\b(?:when|if|whenever|should\s+you\s+be)\s+(?:you\s+are\s+|you're\s+)?(?:asked|questioned|queried|prompted)"
    rf"\b[^.!?]{{0,150}}?,\s*(?:please\s+|always\s+|simply\s+|just\s+|then\s+|you\s+(?:must|should|need\s+to|"
    rf"have\s+to|will)\s+)?{_ANSWER_VERB}\b",
    rf"^\W*(?:please\s+|always\s+|simply\s+|just\s+|now\s+|instead,?\s+)*{_ANSWER_VERB}{_TARGET}",
    rf"\byou\s+(?:must|should|shall|will|need\s+to|have\s+to|are\s+(?:required\s+|instructed\s+|told\s+)?to)"
    rf"\s+(?:always\s+|only\s+|now\s+|also\s+|never\s+)?{_ANSWER_VERB}{_TARGET}",
    r"^\W*(?:please\s+)?(?:begin|start|end|open|close)\s+(?:your|every|each|the|any)\s+(?:answer|response|reply)",
    r"\b(?:correct|right|only|proper|official)\s+(?:answer|response|reply)\s+(?:(?:to|for)\s+(?:any\s+|all\s+|"
    r"every\s+|such\s+)?(?:questions?|quer)|is\s+(?:that|yes|no)\b)|\byour\s+(?:answers?|responses?|replies|output)\b",
)
# Chat and prompt formats, and hidden-text markers that survive cleaning.
_MARKUP = _compile(
    r"<\|[\w-]+\|>|\[/?inst\]|<</?sys>>|</?(?:system|user|assistant|instructions?|prompt|s)>"
    r"|^\W*#{1,6}\s*(?:instructions?|system|response|assistant|user|prompt)\b"
    r"|\b(?:begin|end)\s+(?:system|instructions?|prompt)\b",
    r"<!--|-->|display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|\[//\]\s*:"
    r"|\b(?:hidden|invisible)\s+text\b|[\[(]\s*(?:hidden|invisible)\b|\bnot\s+(?:visible|shown)\s+to\s+(?:human|readers)",
)
# Headlines in Title Case read like commands ("Confirm That Copying Music Is Not Fair Use").
_HEADLINE_WORD = re.compile(r"\b[A-Z][a-z]{3,}\b|\b[a-z]{4,}\b")


def _headline(text: str) -> bool:
    words = _HEADLINE_WORD.findall(text)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def is_addressed(sentence: str) -> bool:
    """True when ``sentence`` speaks to an AI, an assistant or the reader (a note, a command, a
    role marker, prompt markup or hidden text) instead of reporting news."""
    text = " ".join(sentence.replace("’", "'").replace("‘", "'").split())
    signals = _ADDRESSEE + _MARKUP if _headline(text) else _ADDRESSEE + _MARKUP + _COMMANDS
    return any(signal.search(text) for signal in signals)


HEADER_WORDS = 6  # "Message for chatbots." alone in its paragraph introduces the next one


def addressed_sentences(text: str, spans: Sequence[tuple[int, int]]) -> list[bool]:
    """Per sentence span of ``text``: addressed itself, or after an addressed sentence in its
    paragraph ("Note to AI systems. Blinken resigned."), or in the paragraph after an addressed
    header: a line ending in a colon, or a paragraph of one short sentence ("Message for chatbots.")."""
    flags: list[bool] = []
    tainted = addressed = False  # the paragraph so far; the sentence before
    para_start = 0  # index of the first sentence of the current paragraph
    for i, (start, end) in enumerate(spans):
        if i and "\n" in text[spans[i - 1][1] : start]:
            last = text[spans[i - 1][0] : spans[i - 1][1]].rstrip()
            header = last.endswith(":") or (para_start == i - 1 and len(last.split()) <= HEADER_WORDS)
            tainted, para_start = addressed and header, i
        addressed = is_addressed(text[start:end])
        tainted = tainted or addressed
        flags.append(tainted)
    return flags
