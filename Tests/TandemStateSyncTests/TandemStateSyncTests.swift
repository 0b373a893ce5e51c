// Tests for TandemStateSync.
