// Tests for TandemConfig.
