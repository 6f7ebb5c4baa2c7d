package server

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
)

// BenchmarkKeptWriteAddWhileTheDatabaseIsLocked queues kept answers behind
// a write the database cannot take (another process's lock), with 20,000
// already waiting: tens of thousands of answers of a few KiB fit the
// memory bound, and each new answer's add should not cost what the
// queue holds.
func BenchmarkKeptWriteAddWhileTheDatabaseIsLocked(b *testing.B) {
	locked := make(chan struct{})
	w := newKeptWrites(keptLimits{}, func(ctx context.Context, _ StoredResponse) error {
		select {
		case <-locked:
		case <-ctx.Done():
		}
		return ctx.Err()
	}, func(string, error) {})
	b.Cleanup(func() { w.stop(); close(locked) })
	add := func(i int) {
		if _, ok := w.add(StoredResponse{ID: fmt.Sprintf("resp_%d", i), Input: json.RawMessage(`[]`), Output: json.RawMessage(`[]`)}); !ok {
			b.Fatal("not queued")
		}
	}
	for i := range 20_000 {
		add(i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		add(20_000 + i)
	}
}

// BenchmarkKeptWritesDrainAfterALock writes 20,000 kept answers queued
// while the database was locked, once it is released: each written answer
// leaves the queue without moving the ones behind it.
func BenchmarkKeptWritesDrainAfterALock(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		b.StopTimer()
		locked := make(chan struct{})
		w := newKeptWrites(keptLimits{}, func(context.Context, StoredResponse) error {
			<-locked
			return nil
		}, func(string, error) {})
		for i := range 20_000 {
			w.add(StoredResponse{ID: fmt.Sprintf("resp_%d", i), Input: json.RawMessage(`[]`), Output: json.RawMessage(`[]`)})
		}
		b.StartTimer()
		close(locked)
		if err := w.waitAll(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
