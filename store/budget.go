package store

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// Budget periods: spend counts from the start of the current UTC day or
// month, or from the key's first call.
const (
	PeriodDay   = "day"
	PeriodMonth = "month"
	PeriodTotal = "total"
)

// Budget is what calls with a client key may spend, in USD at catalog
// prices, per period. USD 0 means no cap.
type Budget struct {
	USD    float64
	Period string // PeriodDay, PeriodMonth (the default) or PeriodTotal
}

// maxBudgetUSD keeps a typo from turning into a cap no one meant.
const maxBudgetUSD = 1e9

// Validate reports a budget that cannot be kept: EInvalid with the field.
func (b Budget) Validate() error {
	if math.IsNaN(b.USD) || b.USD < 0 || b.USD > maxBudgetUSD {
		return &router.Error{Code: router.EInvalid, Param: "budget_usd",
			Message: fmt.Sprintf("budget %v USD: want 0 (no cap) to %.0f", b.USD, float64(maxBudgetUSD))}
	}
	switch b.Period {
	case "", PeriodDay, PeriodMonth, PeriodTotal:
		return nil
	}
	return &router.Error{Code: router.EInvalid, Param: "budget_period",
		Message: fmt.Sprintf("budget period %q: want %s, %s or %s", b.Period, PeriodDay, PeriodMonth, PeriodTotal)}
}

func (b Budget) period() string {
	if b.Period == "" {
		return PeriodMonth
	}
	return b.Period
}

// Capped reports whether the budget caps anything.
func (b Budget) Capped() bool { return b.USD > 0 }

// Start is when the period holding now began (zero for PeriodTotal).
func (b Budget) Start(now time.Time) time.Time {
	now = now.UTC()
	switch b.period() {
	case PeriodDay:
		return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	case PeriodMonth:
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// End is when the period holding now ends and spend starts again from 0
// (zero for PeriodTotal: never).
func (b Budget) End(now time.Time) time.Time {
	start := b.Start(now)
	switch b.period() {
	case PeriodDay:
		return start.AddDate(0, 0, 1)
	case PeriodMonth:
		return start.AddDate(0, 1, 0)
	}
	return time.Time{}
}

// String is how people see it: "$50.00 a month", "none".
func (b Budget) String() string {
	if !b.Capped() {
		return "none"
	}
	amount := FormatUSD(b.USD)
	switch b.period() {
	case PeriodDay:
		return amount + " a day"
	case PeriodMonth:
		return amount + " a month"
	}
	return amount + " in total"
}

// FormatUSD writes an amount in dollars and cents, or to the millionth
// below a cent, where a few calls' spend (or a test's cap) would read
// "$0.00"; an amount below a millionth, whole, where "$0.000000" would
// read as nothing at all (a cap of $1e-9 is a cap).
func FormatUSD(usd float64) string {
	switch {
	case usd > 0 && usd < 0.0000005:
		return "$" + strconv.FormatFloat(usd, 'f', -1, 64)
	case usd != 0 && usd < 0.01:
		return fmt.Sprintf("$%.6f", usd)
	}
	return fmt.Sprintf("$%.2f", usd)
}
