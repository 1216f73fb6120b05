"""Evaluation against the labelled corpus: CUAD clauses for contracts, QMSum summaries and
AMI decisions/action items for transcripts, plus citation validity, coverage and cost."""
from docpipe.evaluation.report import format_table
from docpipe.evaluation.runner import main_eval, run_eval

__all__ = ["format_table", "main_eval", "run_eval"]
