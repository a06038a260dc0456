"""The verify stage: the citations of a generated answer read, checked against the evidence they
cite, repaired and renumbered (:func:`verify`); and the markers the other stages read and write."""

from assistant.citations.markers import marker_numbers, normalize_markers, strip_markers, with_markers
from assistant.citations.verification import Verified, verify

__all__ = ["Verified", "marker_numbers", "normalize_markers", "strip_markers", "verify", "with_markers"]
