// Tests for TandemNetlink.
