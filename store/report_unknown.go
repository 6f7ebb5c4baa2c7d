package store

import (
	"context"
	"fmt"
)

// UnknownDeployment is the report row of the calls that named no
// deployment: every name a client made up would otherwise be a row of its
// own, and a report over 100,000 such names is a response of many
// megabytes and a dashboard table of 100,000 lines. /metrics counts these
// calls under "unknown" for the same reason; the report's marker is in
// parentheses because no deployment can be called that, so a deployment
// named unknown keeps its own rows and its own best single model. A
// [Range] whose Deployment is UnknownDeployment selects these calls.
const UnknownDeployment = "(unknown)"

// decidedSQL is true for a decisions row that the router decided or a
// model answered: a call that reached a deployment that existed then. A
// call naming no deployment is refused before deciding, so it never is.
const decidedSQL = `(router_version <> '' OR chosen <> '' OR answered <> '')`

// scanned is the range a report reads: for UnknownDeployment every
// deployment's rows, which the report folds and then keeps only those of
// names that are no deployment.
func (r Range) scanned() Range {
	if r.Deployment == UnknownDeployment {
		r.Deployment = ""
	}
	return r
}

// deploymentNames returns the logged names that keep report rows of their
// own: the stored deployments, builtin (deployments that exist without a
// stored row), and decided, the names with a call in the report's range
// the router decided, so a deployment deleted since still shows its
// history. The set is bounded by the deployments an administrator made,
// not by what clients send. Calls to a deployment that exists but were
// refused before deciding (a previous_response_id the gateway does not
// know, a router not loaded yet) keep its name too: it is stored or built
// in.
func (rp *Reports) deploymentNames(ctx context.Context, decided map[string]bool, builtin []string) (map[string]bool, error) {
	names := map[string]bool{}
	for _, n := range builtin {
		names[n] = true
	}
	for n := range decided {
		names[n] = true
	}
	rows, err := rp.db.QueryContext(ctx, `SELECT name FROM deployments`)
	if err != nil {
		return nil, fmt.Errorf("report: deployments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("report: deployments: %w", err)
		}
		names[n] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("report: deployments: %w", err)
	}
	return names, nil
}
