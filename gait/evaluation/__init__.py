"""Scoring detected initial contacts against annotated footsteps, and how soon they are known."""

from gait.evaluation._contacts import ContactScore, match_contacts, score_contacts
from gait.evaluation._delay import decision_delays_s

__all__ = ["ContactScore", "decision_delays_s", "match_contacts", "score_contacts"]
