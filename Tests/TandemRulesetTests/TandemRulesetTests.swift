// Tests for TandemRuleset.
