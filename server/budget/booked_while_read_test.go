package budget_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/store"
)

// rebook changes what the log says key id's call at at cost, as a booking
// of a background answer's usage does to its decision row before the
// Tracker is told (Correct).
func (s *source) rebook(id string, at time.Time, usd float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range s.logged[id] {
		if e.at.Equal(at) {
			s.logged[id][i].usd = usd
		}
	}
}

// pausing is a source whose spend reads wait, once they have read, until
// goOn is closed, telling read each time one has read.
type pausing struct {
	*source
	read chan struct{}
	goOn chan struct{}
}

func (p *pausing) KeySpend(ctx context.Context, id string, since, until time.Time) (float64, error) {
	usd, err := p.source.KeySpend(ctx, id, since, until)
	p.read <- struct{}{}
	<-p.goOn
	return usd, err
}

// A background answer begun before the gateway started is the log's to
// count; its booked cost reaches the log's row before the Tracker hears of
// it. A read of the log's spend in between has the booked cost already,
// and counts it once, not twice.
func TestACostBookedBeforeTheLogIsReadCountsOnce(t *testing.T) {
	c := &clock{time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)}
	before := c.t.Add(-time.Hour)
	src := &source{
		budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodMonth}},
		logged:  map[string][]spend{"key_a": {{before, 0.5}}}, // its estimate
	}
	tr := budget.New(src, c.now)
	ctx := context.Background()

	src.rebook("key_a", before, 0.9)
	require.NoError(t, tr.Admit(ctx, "key_a"), "the log's $0.90 of $1")
	tr.Correct("key_a", 0.4, before)
	require.NoError(t, tr.Admit(ctx, "key_a"), "$0.90 spent, not $1.30")
}

// The other way round: booked while the log's spend is being read, the
// read may have the estimate, and what the call cost over it must not be
// lost when the read is kept.
func TestACostBookedWhileTheLogIsReadIsNotLost(t *testing.T) {
	c := &clock{time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)}
	before := c.t.Add(-time.Hour)
	src := &source{
		budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodMonth}},
		logged:  map[string][]spend{"key_a": {{before, 0.5}}},
	}
	p := &pausing{source: src, read: make(chan struct{}, 8), goOn: make(chan struct{})}
	tr := budget.New(p, c.now)
	ctx := context.Background()

	admitted := make(chan error, 1)
	go func() { admitted <- tr.Admit(ctx, "key_a") }()
	<-p.read // it read the estimate, $0.50
	src.rebook("key_a", before, 0.9)
	tr.Correct("key_a", 0.4, before)
	close(p.goOn)
	require.NoError(t, <-admitted)

	tr.Spend("key_a", 0.15, c.t)
	err := tr.Admit(ctx, "key_a")
	require.Error(t, err, "$0.90 and $0.15 spent of $1")
	assert.Contains(t, err.Error(), "has spent $1.05")
}
