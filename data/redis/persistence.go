package redis

import (
	"context"
	"strings"
)

// Persistence is how the Redis server keeps what it acknowledges, which
// `keyward serve` reports when it starts: with neither the append-only
// file nor snapshots, a restart of Redis loses the account.
type Persistence struct {
	// AppendOnly says every write goes to the append-only file (AOF), and
	// AppendFsync how often it is synced (always, everysec or no; "" when
	// the server does not say).
	AppendOnly  bool
	AppendFsync string
	// Save is the snapshot schedule ("3600 1 300 100"), "" for none, and
	// SaveKnown whether the server said (managed services often refuse
	// CONFIG GET).
	Save      string
	SaveKnown bool
}

// None reports that Redis keeps nothing across a restart.
func (p Persistence) None() bool { return !p.AppendOnly && p.SaveKnown && p.Save == "" }

// String describes p in Redis's own terms, for a log.
func (p Persistence) String() string {
	var b strings.Builder
	if p.AppendOnly {
		b.WriteString("appendonly yes")
		if p.AppendFsync != "" {
			b.WriteString(" (appendfsync " + p.AppendFsync + ")")
		}
	} else {
		b.WriteString("appendonly no")
	}
	switch {
	case !p.SaveKnown:
		b.WriteString(", save not known")
	case p.Save == "":
		b.WriteString(`, save ""`)
	default:
		b.WriteString(", save " + p.Save)
	}
	return b.String()
}

// Persistence asks the server how it keeps acknowledged writes: INFO
// persistence, and CONFIG GET where it is allowed.
func (b *Backend) Persistence() (Persistence, error) {
	if err := b.enter(); err != nil {
		return Persistence{}, err
	}
	defer b.leave()
	ctx := context.Background()
	info, err := b.client.Info(ctx, "persistence").Result()
	if err != nil {
		return Persistence{}, b.failed("read how the shared store keeps its data", err)
	}
	var p Persistence
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "aof_enabled:"); ok {
			p.AppendOnly = v == "1"
		}
	}
	if config, err := b.client.ConfigGet(ctx, "save").Result(); err == nil {
		p.Save, p.SaveKnown = config["save"]
	}
	if config, err := b.client.ConfigGet(ctx, "appendfsync").Result(); err == nil {
		p.AppendFsync = config["appendfsync"]
	}
	return p, nil
}
