package budget_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/budget"
	"github.com/modelrouter/modelrouter/store"
)

// pausingBudget is a source whose next budget read, once armed, waits
// after it has read until goOn is closed, telling read when it has read.
type pausingBudget struct {
	*source
	armed atomic.Bool
	read  chan struct{}
	goOn  chan struct{}
}

func (p *pausingBudget) KeyBudget(ctx context.Context, id string) (store.Budget, error) {
	b, err := p.source.KeyBudget(ctx, id)
	if p.armed.CompareAndSwap(true, false) {
		close(p.read)
		<-p.goOn
	}
	return b, err
}

// Two calls read a key's budget again at once, the operator lowering it
// between their reads: the read that began first, and has the older
// budget, ends last. The newer budget, which the second call was already
// checked against, stays: the calls after them are checked against it
// too, not against the older one until the next refresh.
func TestTheNewerOfTwoBudgetReadsAtOnceIsKept(t *testing.T) {
	c := &clock{time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC)}
	src := &source{budgets: map[string]store.Budget{"key_a": {USD: 1, Period: store.PeriodMonth}}}
	p := &pausingBudget{source: src, read: make(chan struct{}), goOn: make(chan struct{})}
	tr := budget.New(p, c.now)
	ctx := context.Background()

	require.NoError(t, tr.Admit(ctx, "key_a"), "nothing spent of $1")
	tr.Spend("key_a", 0.5, c.t)
	c.t = c.t.Add(budget.DefaultRefresh) // both calls read the budget again

	p.armed.Store(true)
	first := make(chan error, 1)
	go func() { first <- tr.Admit(ctx, "key_a") }()
	<-p.read // the first call has read $1
	src.setBudget("key_a", store.Budget{USD: 0.25, Period: store.PeriodMonth})
	var re *router.Error
	require.ErrorAs(t, tr.Admit(ctx, "key_a"), &re, "the second call read $0.25, $0.50 spent")
	assert.True(t, re.Final)
	close(p.goOn)
	<-first

	err := tr.Admit(ctx, "key_a")
	require.Error(t, err, "the budget the second call was checked against stays")
	assert.Contains(t, err.Error(), "of its budget of $0.25 a month")
}
