// TandemConfig: the config.xml model (pfSense/OPNsense schema), its libxml2 parser, the
// round-trip writer, the validator and the revision store. Pure apart from the store.
