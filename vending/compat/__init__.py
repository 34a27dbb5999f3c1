"""Schema compatibility: which semantic-version bump a change of the request interface needs.

    OLD, NEW --normalize--> 2020-12 documents
             --subset(OLD, NEW)--> what NEW rejects that OLD accepted   (major)
             --subset(NEW, OLD)--> what NEW accepts that OLD rejected   (minor)
             --defaults, annotations--> rendering changes (major) and notes (patch)
             --> Diff: every change with its pointer, kind, bump and a sentence

Everything here is pure: schemas in, values out. The CLI (`vending schema ...`)
and the release checks read the files.
"""
