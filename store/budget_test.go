package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

func TestKeyBudgetIsSetReadAndListed(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	_, k, err := s.CreateKey(ctx, "ci")
	require.NoError(t, err)
	assert.False(t, k.Budget.Capped(), "no cap until one is set")
	b, err := s.KeyBudget(ctx, k.ID)
	require.NoError(t, err)
	assert.False(t, b.Capped())

	got, err := s.SetKeyBudget(ctx, k.Prefix, store.Budget{USD: 25, Period: store.PeriodDay})
	require.NoError(t, err)
	assert.Equal(t, "$25.00 a day", got.Budget.String())
	b, err = s.KeyBudget(ctx, k.ID)
	require.NoError(t, err)
	assert.Equal(t, store.Budget{USD: 25, Period: store.PeriodDay}, b)
	keys, err := s.ListKeys(ctx)
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.Equal(t, b, keys[0].Budget)

	// The default period is a month; USD 0 removes the cap.
	_, err = s.SetKeyBudget(ctx, k.ID, store.Budget{USD: 3})
	require.NoError(t, err)
	b, _ = s.KeyBudget(ctx, k.ID)
	assert.Equal(t, "$3.00 a month", b.String())
	_, err = s.SetKeyBudget(ctx, k.ID, store.Budget{})
	require.NoError(t, err)
	b, _ = s.KeyBudget(ctx, k.ID)
	assert.False(t, b.Capped())

	// A revoked key has no budget to keep: it cannot call.
	_, err = s.SetKeyBudget(ctx, k.ID, store.Budget{USD: 3})
	require.NoError(t, err)
	_, err = s.RevokeKey(ctx, k.ID)
	require.NoError(t, err)
	b, _ = s.KeyBudget(ctx, k.ID)
	assert.False(t, b.Capped())
}

func TestKeyBudgetRefusesWhatCannotBeKept(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	_, k, err := s.CreateKey(ctx, "ci")
	require.NoError(t, err)
	for _, b := range []store.Budget{{USD: -1}, {USD: 2e9}, {USD: 5, Period: "week"}} {
		_, err := s.SetKeyBudget(ctx, k.ID, b)
		assert.Equal(t, router.EInvalid, router.ErrorCode(err), "%+v", b)
	}
	_, err = s.SetKeyBudget(ctx, "key_nope", store.Budget{USD: 1})
	assert.Equal(t, router.ENotFound, router.ErrorCode(err))
}

func TestKeySpendAddsUpTheLoggedCostOfAKeysCalls(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	day := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	mine := []router.Record{sampleRecord("r1", day.Add(-time.Hour)), sampleRecord("r2", day.Add(time.Hour)), sampleRecord("r3", day.Add(2*time.Hour))}
	for i := range mine {
		mine[i].KeyID = "key_a"
	}
	mine[2].CostUSD = 0.01
	theirs := sampleRecord("r4", day.Add(time.Hour))
	theirs.KeyID = "key_b"
	keyless := sampleRecord("r5", day.Add(time.Hour))
	failed := sampleRecord("r6", day.Add(time.Hour))
	failed.KeyID, failed.CostUSD = "key_a", 0 // nothing answered: no cost
	logged(t, s, append(mine, theirs, keyless, failed)...)

	spent, err := s.KeySpend(ctx, "key_a", day, time.Time{})
	require.NoError(t, err)
	assert.InDelta(t, 0.00042+0.01, spent, 1e-12)
	spent, err = s.KeySpend(ctx, "key_a", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.InDelta(t, 2*0.00042+0.01, spent, 1e-12, "since ever")
	spent, err = s.KeySpend(ctx, "", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Zero(t, spent, "calls without a key are no one's")
}

func TestBudgetPeriodsAreUTCCalendarDaysAndMonths(t *testing.T) {
	now := time.Date(2026, 12, 31, 22, 30, 0, 0, time.FixedZone("UTC-3", -3*3600)) // 2027-01-01 01:30 UTC
	day := store.Budget{USD: 1, Period: store.PeriodDay}
	month := store.Budget{USD: 1} // the default period
	total := store.Budget{USD: 1, Period: store.PeriodTotal}
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), day.Start(now))
	assert.Equal(t, time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), day.End(now))
	assert.Equal(t, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), month.Start(now))
	assert.Equal(t, time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), month.End(now))
	assert.True(t, total.Start(now).IsZero())
	assert.True(t, total.End(now).IsZero(), "a total budget never starts again")
	assert.Equal(t, "$1.00 in total", total.String())
	assert.Equal(t, "none", store.Budget{}.String())
}

// A cap below a millionth of a dollar is shown as set, not as $0.000000,
// which reads as no money at all.
func TestABudgetBelowAMillionthIsShownAsSet(t *testing.T) {
	assert.Equal(t, "$0.000000001 a month", store.Budget{USD: 1e-9}.String())
	assert.Equal(t, "$0.000001 a day", store.Budget{USD: 0.000001, Period: store.PeriodDay}.String())
	assert.Equal(t, "$0.004200 in total", store.Budget{USD: 0.0042, Period: store.PeriodTotal}.String())
}
