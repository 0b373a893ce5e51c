// Tests for TandemCompiler.
