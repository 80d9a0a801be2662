"""Know: trade dependencies, chokepoints, supply networks, scenarios (pure analytics)."""
