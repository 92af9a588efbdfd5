"""Scoring detected initial contacts against annotated footsteps."""

from gait.evaluation._contacts import ContactScore, match_contacts, score_contacts

__all__ = ["ContactScore", "match_contacts", "score_contacts"]
