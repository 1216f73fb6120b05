"""The stages composed: intake of files, parse, plan, map (per chunk), reduce. Each stage
takes ids and leaves its result in the store, so the same functions run inline (embedded
default) or as units of work on the fleet."""
