"""Whether an article sentence reads like an instruction to an AI (pure).

The extractive composer quotes article text, not the bot's voice, so a sentence that reads
like a prompt injection ("ignore previous instructions…", "Assistant: reply with…") is never
output (`retrieval/extractive.py`).
"""

from __future__ import annotations

import re

_LEADING_QUOTES = "\"'“‘«( "

_BOT = r"(?:ai|a\.i\.|assistant|chat ?bot|bot|language model|llm|gpt|chatgpt)"
_IMPERATIVE = (
    r"(?:ignore|disregard|forget|override|bypass|reply|respond|answer|say|tell|print|output|"
    r"write|repeat|reveal|pretend|act as|always|never|do not|don't|from now on|stop)"
)
_INSTRUCTION_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        # "ignore all previous instructions", also in a few other languages
        r"\b(?:ignore|ignorez|ignora|ignoriere|disregard|forget|override|bypass)\b.{0,40}"
        r"\b(?:instructions?|instrucciones|consignes|anweisungen|prompts?)\b",
        r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+|the\s+)?(?:your\s+)?(?:previous|"
        r"prior|above|earlier|preceding|your)\s+(?:rules|guidelines|directions|messages|context|"
        r"text)\b",
        rf"\bif you(?:'re| are)\b.{{0,30}}\b{_BOT}\b",
        r"\b(?:system|developer)\s+(?:prompt|message|instructions?)\b",
        r"\b(?:new|updated|hidden|secret|real) instructions?\b",
        rf"\b(?:you are|you're|act as|pretend to be|behave as|role-?play as)\b.{{0,30}}\b{_BOT}\b",
        rf"\bas an? {_BOT}\b",
        r"<\|?(?:im_start|im_end|system|endoftext)\|?>|\[/?INST\]|###\s*(?:instruction|system)",
        # addressed to the bot: "Assistant, reply with ..." / "AI: ignore ..."
        rf"\b{_BOT}s?\b[^.!?]{{0,40}}[,:]\s*(?:please\s+)?{_IMPERATIVE}\b",
        # a forged chat turn or prompt delimiter: "System: ...", "</sources>"
        r"^(?:system|developer|assistant)\s*:",
        r"</?\s*(?:sources|system|instructions?|conversation)\s*>",
        r"\b(?:now in|enter|enable|switch to|activate)\s+(?:developer|god|jailbreak|dan)\s+mode\b",
    )
]
# An imperative opening the sentence, aimed at a bot or its output.
_IMPERATIVE_START = re.compile(
    rf"^(?:please\s+)?{_IMPERATIVE}\b.{{0,120}}"
    rf"(?:\b{_BOT}\b|\binstructions?\b|\bprompt\b|\bthe user\b|\byour (?:answer|reply|response|"
    r"output)\b|\b(?:only|exactly) with\b|\bthis conversation\b)",
    re.IGNORECASE,
)


def looks_like_instruction(sentence: str) -> bool:
    """True when a sentence reads like a prompt injection rather than reported news."""
    text = sentence.strip().lstrip(_LEADING_QUOTES)
    if _IMPERATIVE_START.search(text):
        return True
    return any(pattern.search(text) for pattern in _INSTRUCTION_PATTERNS)
