"""`campc diff BASE [HEAD]`: what a change means, not which lines moved.

Both sides are campaigns folders loaded as `campc check` loads them: a git revision is
exported with `git archive` into a temporary folder (so a shallow clone works as long
as the revision itself was fetched, and a revision without the folder is an empty
repository), the working tree is read in place. Both are read with the working tree's
configuration. The comparison is by meaning: specs by kind and id, budget lines by
campaign and channel, calendar events by spec and key, sends by audience and ISO week,
sequence steps and scoring rules by id, experiment plans by id, findings by path, code
and message (line numbers move with every edit, so they are not compared). A spec whose id
changed is one rename, not a removal and an addition: when it stayed in its file, when git
saw the file moved (`git diff -M`), or when its lines, the id line aside, are mostly the
same (a file moved without git, or not yet added).

In `--format json`, money is `{"amount": 30000.0, "currency": "EUR"}`: a JSON number in
the currency's units, exact to its minor unit, and the ISO 4217 code.
"""
