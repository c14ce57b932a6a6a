"""An LLM as one more annotator: prompts from the taxonomy's guidelines, a small OpenAI-compatible client,
and a cached, resumable runner that turns several votes per item into scored predictions."""

from .client import ChatReply, JudgeClient, JudgeError, check_endpoint
from .plan import JudgePlan, judgeable, plan_judge, reads_in_part
from .prompt import build_messages
from .runner import STOP_AFTER, JudgeCache, JudgeResult, MemoryCache, VoteFailure, cache_key, run_judge, store_result
from .schema import AnswerError, JudgeAnswer, JudgeLabel, ParsedAnswer, extract_json, parse_answer

__all__ = [
    "STOP_AFTER", "AnswerError", "ChatReply", "JudgeAnswer", "JudgeCache", "JudgeClient", "JudgeError",
    "JudgeLabel", "JudgePlan", "JudgeResult", "MemoryCache", "ParsedAnswer", "VoteFailure", "build_messages",
    "cache_key", "check_endpoint", "extract_json", "judgeable", "parse_answer", "plan_judge", "reads_in_part",
    "run_judge", "store_result",
]
