"""Schema compatibility: which semantic-version bump a change of the request interface needs.

    OLD, NEW --normalize--> 2020-12 documents
             --subset(OLD, NEW)--> what NEW rejects that OLD accepted   (major)
             --subset(NEW, OLD)--> what NEW accepts that OLD rejected   (minor)
             --defaults, annotations--> rendering changes (major) and notes (patch)
             --> Diff: every change with its pointer, kind, bump and a sentence

Everything here is pure: schemas (parsed values, or bytes for `schema_input`) in,
values out. No module reads a file or imports one that does (`tests/schemadiff/
test_purity.py` holds that); the CLI (`vending schema ...`) and the release checks
(`vending.release`) read the files.
"""
