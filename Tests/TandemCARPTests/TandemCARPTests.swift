// Tests for TandemCARP.
