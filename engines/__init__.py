"""Reference engines the conformance suite and the mock are checked against."""
