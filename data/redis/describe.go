package redis

// Describe says where the account is and how the server keeps it, for
// the log of `keyward serve`: a Redis with neither the append-only file
// nor snapshots loses every change when it restarts, which serve warns of.
func (b *Backend) Describe() string {
	p, err := b.Persistence()
	switch {
	case err != nil:
		return b.Location() + " (how it keeps its data is not known: " + err.Error() + ")"
	case p.None():
		return b.Location() + " (" + p.String() + "). WARNING: this Redis keeps nothing across a restart, which would lose the account: " +
			"turn on appendonly (appendonly yes in redis.conf, or CONFIG SET appendonly yes)."
	}
	return b.Location() + " (" + p.String() + ")"
}
