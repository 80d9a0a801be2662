"""Promote (pillar 3): the think tank's toolkit: technology taxonomy and allied crosswalk,
technology landscape, R&D vision scoring and fund allocation, seeds-needs matching."""
