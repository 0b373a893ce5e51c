// TandemCARP: CARP advertisement codec, HMAC, and the per-vhid state machine (pure),
// plus the driver that carries its actions out.
