"""Evaluation of newsdesk: a hand-checked gold set over seeds/, a naive llama-index baseline, and
the MultiHop-RAG benchmark scored by the paper's rules. The CLI's ``newsdesk eval`` calls
:func:`run_eval` with :class:`EvalArgs` built by :func:`args_from_namespace`.
"""

from assistant.evaluation.runner import EvalArgs, EvalResult, add_eval_arguments, args_from_namespace, run_eval

__all__ = ["EvalArgs", "EvalResult", "add_eval_arguments", "args_from_namespace", "run_eval"]
