"""An LLM as one more annotator: prompts from the taxonomy's guidelines, a small OpenAI-compatible client,
and a cached, resumable runner that turns several votes per item into scored predictions."""

from .client import ChatReply, JudgeClient, JudgeError, check_endpoint
from .prompt import build_messages
from .runner import JudgeCache, JudgeResult, MemoryCache, VoteFailure, cache_key, run_judge
from .schema import AnswerError, JudgeAnswer, JudgeLabel, ParsedAnswer, extract_json, parse_answer

__all__ = [
    "AnswerError", "ChatReply", "JudgeAnswer", "JudgeCache", "JudgeClient", "JudgeError", "JudgeLabel",
    "JudgeResult", "MemoryCache", "ParsedAnswer", "VoteFailure", "build_messages", "cache_key", "check_endpoint",
    "extract_json", "parse_answer", "run_judge",
]
