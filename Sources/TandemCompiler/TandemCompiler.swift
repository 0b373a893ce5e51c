// TandemCompiler: Config → Plan (ruleset IR, addresses, CARP groups, sync plan). Pure.
