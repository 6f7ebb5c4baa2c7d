package main

import (
	"context"
	"log/slog"

	"github.com/modelrouter/modelrouter/store"
)

// warnBudgetsNotEnforced says, once at start, that the database's key
// budgets do nothing on a gateway that needs no key: it does not read the
// key a call sends, so no call is held to a budget or counted as a key's
// spend. An operator who made keys with budgets and serves on loopback
// (behind a reverse proxy, say) without --require-keys would otherwise
// find out from the bill.
func warnBudgetsNotEnforced(ctx context.Context, st *store.Store, log *slog.Logger) {
	keys, err := st.ListKeys(ctx)
	if err != nil {
		log.Warn("could not read the client keys to check their budgets", "error", err)
		return
	}
	capped := 0
	for _, k := range keys {
		if k.Active() && k.Budget.Capped() {
			capped++
		}
	}
	if capped > 0 {
		log.Warn("client keys are not required, so their budgets are not enforced: a call's key is not read, checked against its budget, or counted as its spend; start with --require-keys to enforce them",
			"keys_with_budgets", capped)
	}
}
