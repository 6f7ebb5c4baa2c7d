package fit

import "math/rand/v2"

// dropTokens returns s with each token dropped with probability
// cfg.TokenDrop (at least one stays; pairs form between the tokens that
// are left). Mean pooling lets one rare token or pair row carry a
// prompt's labels, and that memorising is what extra epochs overfit on;
// fresh drops every epoch make every row share the work. The draws
// depend only on the seed, the epoch and the sample's index, so the run
// stays deterministic for any worker count. s itself is not changed.
func dropTokens(s Sample, cfg Config, epoch, index int) Sample {
	if cfg.TokenDrop <= 0 || cfg.TokenDrop >= 1 || len(s.IDs) < 2 {
		return s
	}
	rng := rand.New(rand.NewPCG(cfg.Seed^0x64726f70, uint64(epoch)<<32|uint64(index)))
	kept := make([]int64, 0, len(s.IDs))
	for _, id := range s.IDs {
		if rng.Float64() >= cfg.TokenDrop {
			kept = append(kept, id)
		}
	}
	if len(kept) == 0 {
		kept = append(kept, s.IDs[rng.IntN(len(s.IDs))])
	}
	s.IDs = kept
	return s
}
