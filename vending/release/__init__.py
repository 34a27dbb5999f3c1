"""The release checks of this repository's request interface (`vending schema check`).

They read the repository once (`repository.read_series`: the released schemas, their
lock, CHANGELOG.md, the stored requests and the derived interfaces) and judge it with
the pure schema-diff engine (`vending.schemadiff`): bumps, lock, changelog, pins, the
pipeline template and Crossplane definition derived from the schema, and whether every
property of the newest schema reaches every render target.
"""
