package router

import (
	"strconv"
	"testing"
	"time"
)

// affinityKeys are n distinct session keys shaped as Decide makes them.
func affinityKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = "model-router\x00" + strconv.FormatUint(uint64(i)*0x9e3779b97f4a7c15, 16)
	}
	return keys
}

// A conversation's turn: read its pin, write it back.
func BenchmarkAffinityTurn(b *testing.B) {
	a := newAffinity(time.Hour, 100_000)
	keys := affinityKeys(10_000)
	now := time.Unix(1000, 0)
	for _, k := range keys {
		a.put(k, "m", now)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := keys[i%len(keys)]
		if _, ok := a.get(k, now); !ok {
			b.Fatal("lost a pin")
		}
		a.put(k, "m", now)
	}
}

// New sessions into a full table of live ones (a flood): each put makes
// room for itself.
func BenchmarkAffinityNewSessionFullTable(b *testing.B) {
	const max = 100_000
	a := newAffinity(time.Hour, max)
	keys := affinityKeys(3 * max)
	now := time.Unix(1000, 0)
	for _, k := range keys[:max] {
		a.put(k, "m", now)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		a.put(keys[max+i%(2*max)], "m", now)
	}
}
